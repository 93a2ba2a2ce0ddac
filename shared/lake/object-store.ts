/**
 * Where the lake lives: a local folder (the embedded default) or an S3 prefix. Keys are '/'-separated paths relative
 * to the lake root, e.g. `socketlabs_failed/dt=2026-11-20/server_id=1234/failed__20261120T000000Z_20261121T000000Z.parquet`.
 */
export interface ObjectStore {
  /** Human-readable location for messages, e.g. `./lake` or `s3://bucket/prefix`. */
  readonly location: string;
  /** Publishes a finished local file under key; readers see the whole object or nothing. */
  putFile(key: string, localPath: string, contentType: string): Promise<void>;
  /** Writes a small object (JSON state, rollups, quarantine) atomically. */
  putBytes(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /**
   * Creates a small object only if no object exists under key, atomically: of two racing callers exactly one gets
   * true (created), the other false (already exists). Readers see the whole object or nothing.
   */
  putIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean>;
  /** Reads an object, or null when it does not exist. */
  get(key: string): Promise<Buffer | null>;
  /** All keys under a prefix (recursive, no delimiter), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deletes keys; missing keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Reads an object with its tag (S3: the ETag), which changes whenever the object is replaced; null when absent. */
  getWithTag(key: string): Promise<TaggedObject | null>;
  /** Replaces an object only if its tag is still `tag` (S3 `If-Match`); the new tag, or null when it changed or is gone. */
  putIfMatch(key: string, body: string | Uint8Array, contentType: string, tag: string): Promise<string | null>;
  /** Deletes an object only if its tag is still `tag`; false when it changed or is gone. */
  deleteIfMatch(key: string, tag: string): Promise<boolean>;
}

/** An object's body and the tag a conditional replace or delete names it by. */
export interface TaggedObject {
  readonly body: Buffer;
  readonly tag: string;
}
