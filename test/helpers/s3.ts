import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3Store } from '../../shared/lake/s3-store';

// @20minutes/s3rver ships no type declarations; this is the slice of its API the tests use.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverServer;
const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverCtor;

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly client: S3Client;
  close(): Promise<void>;
}

/** A real S3-protocol server on loopback (s3rver, settings from LOCAL-STACK.md) with one bucket. */
export async function startLocalS3(bucket = 'inboxlake-test'): Promise<LocalS3> {
  const dir = await mkdtemp(join(tmpdir(), 'inboxlake-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
    allowMismatchedSignatures: true,
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    client,
    async close() {
      client.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Copies every object under a prefix into a local folder (same relative keys), for DuckDB to read. */
export async function downloadLake(s3: LocalS3, prefix: string): Promise<string> {
  const store = new S3Store({ client: s3.client, bucket: s3.bucket, prefix });
  const dir = await mkdtemp(join(tmpdir(), 'inboxlake-s3copy-'));
  for (const key of await store.list('')) {
    const body = await store.get(key);
    if (!body) continue;
    const path = join(dir, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }
  return dir;
}
