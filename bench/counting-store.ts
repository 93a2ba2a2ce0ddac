import type { ObjectStore, TaggedObject } from '../shared/lake/object-store';

/**
 * S3 requests as they are billed, counted around a real store while a run uses it. Each ObjectStore call is counted
 * as the requests shared/lake/s3-store.ts sends for it: putIfAbsent is a HEAD then a PUT, a listing one LIST per
 * 1,000 keys, a delete one (free) DeleteObjects per 1,000 keys. Bytes put, and bytes a put or delete leaves behind
 * as a noncurrent version (the lake bucket is versioned), are tallied for the storage line.
 */
export interface S3Counts {
  /** PUT, COPY, POST and LIST: one price class. */
  put: number;
  list: number;
  /** GET and HEAD: the other price class. */
  get: number;
  delete: number;
  bytesPut: number;
  /** Objects replaced or deleted, with their sizes: kept as noncurrent versions until the lifecycle expires them. */
  superseded: [key: string, bytes: number][];
}

export const noCounts = (): S3Counts => ({ put: 0, list: 0, get: 0, delete: 0, bytesPut: 0, superseded: [] });

/** S3 lists and deletes up to 1,000 keys per request. */
const PER_REQUEST = 1000;

const byteLength = (body: Uint8Array | string) => (typeof body === 'string' ? Buffer.byteLength(body) : body.length);

/**
 * Wraps `inner`, adding each call's requests to `counts` (replace `counts` to count a new period). `sizeOf` reads an
 * existing object's size without a counted request (a stat of the local file), for the superseded bytes.
 */
export class CountingStore implements ObjectStore {
  counts: S3Counts = noCounts();

  constructor(
    private readonly inner: ObjectStore,
    private readonly sizeOf: (key: string) => Promise<number | null>,
    private readonly fileSize: (path: string) => Promise<number>,
  ) {}

  get location(): string {
    return this.inner.location;
  }

  private async superseding(key: string): Promise<void> {
    const bytes = await this.sizeOf(key);
    if (bytes !== null) this.counts.superseded.push([key, bytes]);
  }

  async putFile(key: string, localPath: string, contentType: string): Promise<void> {
    await this.superseding(key);
    this.counts.put++;
    this.counts.bytesPut += await this.fileSize(localPath);
    await this.inner.putFile(key, localPath, contentType);
  }

  async putBytes(key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await this.superseding(key);
    this.counts.put++;
    this.counts.bytesPut += byteLength(body);
    await this.inner.putBytes(key, body, contentType);
  }

  async putIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean> {
    this.counts.get++;
    const created = await this.inner.putIfAbsent(key, body, contentType);
    // S3Store sends the PUT only when its HEAD found nothing.
    if (created) {
      this.counts.put++;
      this.counts.bytesPut += byteLength(body);
    }
    return created;
  }

  get(key: string): Promise<Buffer | null> {
    this.counts.get++;
    return this.inner.get(key);
  }

  async list(prefix: string): Promise<string[]> {
    const keys = await this.inner.list(prefix);
    this.counts.list += Math.max(1, Math.ceil(keys.length / PER_REQUEST));
    return keys;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.superseding(key);
    this.counts.delete += Math.ceil(keys.length / PER_REQUEST);
    await this.inner.delete(keys);
  }

  getWithTag(key: string): Promise<TaggedObject | null> {
    this.counts.get++;
    return this.inner.getWithTag(key);
  }

  async putIfMatch(key: string, body: string | Uint8Array, contentType: string, tag: string): Promise<string | null> {
    await this.superseding(key);
    this.counts.put++;
    this.counts.bytesPut += byteLength(body);
    return this.inner.putIfMatch(key, body, contentType, tag);
  }

  async deleteIfMatch(key: string, tag: string): Promise<boolean> {
    await this.superseding(key);
    this.counts.delete++;
    return this.inner.deleteIfMatch(key, tag);
  }
}

/** The sum of two periods' counts. */
export function addCounts(a: S3Counts, b: S3Counts): S3Counts {
  return {
    put: a.put + b.put,
    list: a.list + b.list,
    get: a.get + b.get,
    delete: a.delete + b.delete,
    bytesPut: a.bytesPut + b.bytesPut,
    superseded: [...a.superseded, ...b.superseded],
  };
}
