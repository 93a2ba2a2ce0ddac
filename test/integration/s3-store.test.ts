import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParquetWriter } from '../../shared/lake/parquet-writer';
import { S3Store } from '../../shared/lake/s3-store';
import { socketlabsFailed } from '../../shared/sources/socketlabs-v1/tables';

// @20minutes/s3rver ships no type declarations; this is the slice of its API the test uses.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverServer;
const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverCtor;

const bucket = 'inboxlake-test';
let dir: string;
let server: S3rverServer;
let client: S3Client;
let store: S3Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inboxlake-s3-'));
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 's3rver'),
    configureBuckets: [{ name: bucket }],
    allowMismatchedSignatures: true,
  });
  const { port } = await server.run();
  client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // Otherwise stream bodies go aws-chunked, which s3rver rejects.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  store = new S3Store({ client, bucket, prefix: 'lake/dev' });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('S3Store against s3rver', () => {
  it('publishes a Parquet file with one PUT and reads it back byte-equal', async () => {
    const local = join(dir, 'failed.parquet');
    const writer = await createParquetWriter(socketlabsFailed, local);
    await writer.append(
      Array.from({ length: 500 }, (_, i) => ({
        event_time: Date.UTC(2026, 10, 20) + i,
        message_id: `m-${i}`,
        reason: 'Zürich <b>"x"</b>\r\n',
        ingested_at: Date.UTC(2026, 10, 21),
      })),
    );
    await writer.close();
    const key = 'socketlabs_failed/dt=2026-11-20/server_id=1234/failed.parquet';

    await store.putFile(key, local, 'application/vnd.apache.parquet');

    const back = await store.get(key);
    expect(back).not.toBeNull();
    expect(back!.equals(await readFile(local))).toBe(true);
    expect(store.location).toBe(`s3://${bucket}/lake/dev`);
  });

  it('puts and gets small objects; a missing key is null', async () => {
    await store.putBytes('_state/socketlabs.json', '{"cursor":"ü"}', 'application/json');
    await store.putBytes('_state/bytes.bin', new Uint8Array([0, 255, 7]), 'application/octet-stream');
    expect((await store.get('_state/socketlabs.json'))?.toString('utf8')).toBe('{"cursor":"ü"}');
    expect(await store.get('_state/bytes.bin')).toEqual(Buffer.from([0, 255, 7]));
    expect(await store.get('_state/missing.json')).toBeNull();
  });

  it('lists across pages (continuation tokens) and deletes', async () => {
    // 130 keys over pages of 50 exercise the same continuation as S3's 1000-key pages at a tenth of the PUTs
    // (1100 real PUTs took 2–10 s on the CI machine); the 1000-key batching is checked against a mock below.
    const paged = new S3Store({ client, bucket, prefix: 'lake/dev', maxKeys: 50 });
    const keys = Array.from(
      { length: 130 },
      (_, i) => `many/dt=2026-11-${String(20 + (i % 3)).padStart(2, '0')}/server_id=${i % 7}/k${i}.json`,
    );
    await Promise.all(keys.map((k) => paged.putBytes(k, '{}', 'application/json')));

    expect(await paged.list('many/')).toEqual([...keys].sort());
    expect(await store.list('many/')).toHaveLength(130);
    expect(await paged.list('many/dt=2026-11-21/server_id=3/')).toEqual(
      keys.filter((k) => k.startsWith('many/dt=2026-11-21/server_id=3/')).sort(),
    );
    // Keys come back relative to the store prefix.
    expect((await store.list('')).every((k) => !k.startsWith('lake/'))).toBe(true);

    await paged.delete([...keys, 'many/never-existed.json']);
    expect(await paged.list('many/')).toEqual([]);
  });

  it('deletes single objects and ignores missing ones', async () => {
    await store.putBytes('gone/a.json', '1', 'application/json');
    await store.delete(['gone/a.json', 'gone/b.json']);
    expect(await store.get('gone/a.json')).toBeNull();
    expect(await store.list('gone/')).toEqual([]);
  });

  it('putIfAbsent creates a missing object and refuses an existing one, even where If-None-Match is ignored', async () => {
    // s3rver ignores If-None-Match: the refusal here is the HEAD's; the 412 path is in the request-shape test and in
    // digest-send.test.ts (s3rver behind a proxy that answers 412 as S3 does).
    expect(await store.putIfAbsent('_state/claims/a.json', '{"n":1}', 'application/json')).toBe(true);
    expect(await store.putIfAbsent('_state/claims/a.json', '{"n":2}', 'application/json')).toBe(false);
    expect((await store.get('_state/claims/a.json'))?.toString()).toBe('{"n":1}');
  });
});

describe('S3Store request shapes (mocked client)', () => {
  it('putIfAbsent sends If-None-Match: * and reads 412 as "exists", asks again after a 409, other errors stay errors', async () => {
    const mock = mockClient(S3Client);
    const failure = (name: string, status: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    mock.on(HeadObjectCommand).rejects(failure('NotFound', 404));
    mock
      .on(PutObjectCommand)
      .resolvesOnce({})
      .rejectsOnce(failure('PreconditionFailed', 412))
      .rejectsOnce(failure('ConditionalRequestConflict', 409))
      .resolvesOnce({})
      .rejects(failure('ConditionalRequestConflict', 409));
    try {
      const mocked = new S3Store({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b', prefix: 'p' });
      expect(await mocked.putIfAbsent('_state/x.json', '{}', 'application/json')).toBe(true);
      expect(await mocked.putIfAbsent('_state/x.json', '{}', 'application/json')).toBe(false);
      // A 409 then a success: the conflict was another writer that failed, and this one created the object.
      expect(await mocked.putIfAbsent('_state/x.json', '{}', 'application/json')).toBe(true);
      // A conflict that never settles stays an error after a few attempts.
      await expect(mocked.putIfAbsent('_state/x.json', '{}', 'application/json')).rejects.toThrow(
        /ConditionalRequestConflict/,
      );
      expect(mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual(
        Array.from({ length: 8 }, () => ({
          Bucket: 'b',
          Key: 'p/_state/x.json',
          Body: '{}',
          ContentType: 'application/json',
          IfNoneMatch: '*',
        })),
      );
      // An object the HEAD finds is refused without a PUT.
      mock.on(HeadObjectCommand).resolves({});
      expect(await mocked.putIfAbsent('_state/x.json', '{}', 'application/json')).toBe(false);
      expect(mock.commandCalls(PutObjectCommand)).toHaveLength(8);
    } finally {
      mock.restore();
    }
  });

  it('deletes in batches of 1000 and follows continuation tokens without a delimiter', async () => {
    const mock = mockClient(S3Client);
    const keys = Array.from({ length: 2500 }, (_, i) => `t/k${String(i).padStart(4, '0')}`);
    mock.on(DeleteObjectsCommand).resolves({});
    mock
      .on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: keys.slice(0, 1000).map((k) => ({ Key: `p/${k}` })),
        IsTruncated: true,
        NextContinuationToken: 'n1',
      })
      .resolvesOnce({ Contents: keys.slice(1000).map((k) => ({ Key: `p/${k}` })), IsTruncated: false });
    try {
      const mocked = new S3Store({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b', prefix: '/p/' });
      expect(await mocked.list('t/')).toEqual(keys);
      const lists = mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
      expect(lists).toEqual([
        { Bucket: 'b', Prefix: 'p/t/', ContinuationToken: undefined, MaxKeys: undefined },
        { Bucket: 'b', Prefix: 'p/t/', ContinuationToken: 'n1', MaxKeys: undefined },
      ]);

      await mocked.delete(keys);
      const batches = mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects ?? []);
      expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
      expect(batches[2]![499]).toEqual({ Key: 'p/t/k2499' });

      mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'p/t/k1', Code: 'AccessDenied', Message: 'no' }] });
      await expect(mocked.delete(['t/k1'])).rejects.toThrow(/1 of 1 keys failed.*AccessDenied/);
    } finally {
      mock.restore();
    }
  });
});
