import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore, TaggedObject } from './object-store';

/** How often putIfAbsent asks again while S3 answers 409 (another conditional write in flight), and how long it waits. */
const CONFLICT_ATTEMPTS = 4;
const CONFLICT_BACKOFF_MS = 100;

export interface S3StoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix of the lake root inside the bucket, without leading or trailing '/'; '' for the bucket root. */
  readonly prefix?: string;
  /** Page size of ListObjectsV2 (S3 caps it at 1000); tests lower it to exercise pagination cheaply. */
  readonly maxKeys?: number;
}

// DeleteObjects accepts at most this many keys per request.
const DELETE_BATCH = 1000;

/** The lake under an S3 prefix; each object is one PUT, so readers see the whole object or nothing. */
export class S3Store implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly maxKeys: number | undefined;

  constructor(options: S3StoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.maxKeys = options.maxKeys;
    this.location = this.prefix ? `s3://${this.bucket}/${this.prefix}` : `s3://${this.bucket}`;
  }

  async putFile(key: string, localPath: string, contentType: string): Promise<void> {
    const { size } = await stat(localPath);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(localPath),
        // A known length lets the SDK send a plain PUT instead of a chunked upload.
        ContentLength: size,
        ContentType: contentType,
      }),
    );
  }

  async putBytes(key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: body, ContentType: contentType }),
    );
  }

  async putIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean> {
    // S3 answers 409 while another conditional write of the key is in flight: which of the two wins is not known yet,
    // so ask again shortly (the HEAD then sees the winner's object) rather than guess.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.createIfAbsent(key, body, contentType);
      } catch (err) {
        if (!isConditionalConflict(err) || attempt >= CONFLICT_ATTEMPTS) throw err;
        await delay(CONFLICT_BACKOFF_MS * attempt);
      }
    }
  }

  private async createIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean> {
    // S3 decides with If-None-Match below. The HEAD first keeps the promise on S3-compatible servers that ignore the
    // header (s3rver, the local S3 of LOCAL-STACK.md): there an existing object is still refused, not overwritten,
    // and only writers racing within the same moment could both win.
    if (await this.exists(key)) return false;
    try {
      // S3 conditional write: If-None-Match: * creates the object only where none exists, and answers 412 otherwise.
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: body,
          ContentType: contentType,
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (err) {
      if (isPreconditionFailed(err)) return false;
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!res.Body) return Buffer.alloc(0);
      return Buffer.from(await res.Body.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const root = this.prefix ? `${this.prefix}/` : '';
    const keys: string[] = [];
    let token: string | undefined;
    do {
      // No Delimiter: a flat leaf listing is all the lake needs, and s3rver's nested CommonPrefixes are broken.
      const res = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: root + prefix,
          ContinuationToken: token,
          MaxKeys: this.maxKeys,
        }),
      );
      for (const o of res.Contents ?? []) {
        if (o.Key?.startsWith(root)) keys.push(o.Key.slice(root.length));
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const res = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((k) => ({ Key: this.objectKey(k) })), Quiet: true },
        }),
      );
      const failed = (res.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new Error(
          `S3 delete in ${this.location}: ${failed.length} of ${batch.length} keys failed, ` +
            `first ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }

  async getWithTag(key: string): Promise<TaggedObject | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      const body = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      if (!res.ETag) throw new Error(`S3 GET in ${this.location} answered without an ETag for '${key}'`);
      return { body, tag: res.ETag };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async putIfMatch(key: string, body: string | Uint8Array, contentType: string, tag: string): Promise<string | null> {
    try {
      const res = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: body,
          ContentType: contentType,
          IfMatch: tag,
        }),
      );
      if (!res.ETag) throw new Error(`S3 PUT in ${this.location} answered without an ETag for '${key}'`);
      return res.ETag;
    } catch (err) {
      // 404: the object is gone, which for a conditional replace is the same as "changed".
      if (isConditionFailed(err) || isNotFound(err)) return null;
      throw err;
    }
  }

  async deleteIfMatch(key: string, tag: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), IfMatch: tag }));
      return true;
    } catch (err) {
      if (isConditionFailed(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  private objectKey(key: string): string {
    if (key === '' || key.startsWith('/')) throw new Error(`invalid lake key '${key}'`);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }
}

/**
 * 412 PreconditionFailed: the condition did not hold. 409 ConditionalRequestConflict: another conditional write to the
 * key was in flight; S3 asks the loser to re-read, which for a lease means "someone else has it now".
 */
function isConditionFailed(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  if (e?.name === 'PreconditionFailed' || e?.name === 'ConditionalRequestConflict') return true;
  const status = e?.$metadata?.httpStatusCode;
  return status === 412 || status === 409;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  if (e?.name === 'NoSuchKey' || e?.Code === 'NoSuchKey') return true;
  // Some S3-compatible servers answer a bare 404; a missing bucket must still fail loudly.
  return e?.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket';
}

function isPreconditionFailed(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'PreconditionFailed' || e?.Code === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
}

function isConditionalConflict(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'ConditionalRequestConflict' || e?.$metadata?.httpStatusCode === 409;
}
