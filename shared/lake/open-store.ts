import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { LocalFolderStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3Store } from './s3-store';

// Bucket naming rules (3–63 chars of lower-case letters, digits, dots and hyphens, starting and ending alphanumeric).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/optional/prefix` into bucket and prefix (no leading or trailing '/'). */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(location.trim());
  if (!match) throw new Error(`invalid S3 location '${location}': expected s3://bucket/optional/prefix`);
  const bucket = match[1] ?? '';
  if (!BUCKET.test(bucket)) {
    throw new Error(`invalid S3 location '${location}': '${bucket}' is not a valid bucket name`);
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '' || s === '.' || s === '..') && prefix !== '') {
    throw new Error(`invalid S3 location '${location}': empty or relative segment in the prefix`);
  }
  return { bucket, prefix };
}

/** Why a lake location cannot be opened, or null; checked with the configuration, before anything runs. */
export function lakeLocationProblem(location: string): string | null {
  const trimmed = location.trim();
  if (trimmed === '') return 'is empty';
  try {
    if (/^s3:/i.test(trimmed)) parseS3Location(trimmed);
    else if (!/^file:/i.test(trimmed) && /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
      return `is not supported ('${location}'): use a folder path or s3://bucket/prefix`;
    }
  } catch (error) {
    return (error as Error).message;
  }
  return null;
}

/**
 * The absolute local folder a lake location names — a path (relative to the cwd) or a `file:` URL — or null for an
 * `s3:` location. Every reader and writer of a local lake goes through this, so they agree on where it is.
 */
export function localLakeFolder(location: string): string | null {
  const trimmed = location.trim();
  if (trimmed === '') throw new Error('lake location is empty');
  if (/^s3:/i.test(trimmed)) return null;
  if (/^file:/i.test(trimmed)) return fileURLToPath(trimmed);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new Error(`unsupported lake location '${location}': use a folder path or s3://bucket/prefix`);
  }
  return resolve(trimmed);
}

/** Opens the lake at `s3://bucket/prefix` (S3) or a local folder (relative paths resolve against the cwd). */
export function openObjectStore(location: string, makeS3Client: () => S3Client): ObjectStore {
  const folder = localLakeFolder(location);
  if (folder !== null) return new LocalFolderStore(folder);
  const { bucket, prefix } = parseS3Location(location.trim());
  return new S3Store({ client: makeS3Client(), bucket, prefix });
}
