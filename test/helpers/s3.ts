import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
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

/**
 * A real S3-protocol server on loopback (s3rver, settings from LOCAL-STACK.md) with one bucket, behind a proxy that
 * enforces conditional writes (see conditionalWritesProxy), so `endpoint` behaves like S3 for leases too.
 */
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
  const proxy = await conditionalWritesProxy(port);
  const endpoint = `http://127.0.0.1:${proxy.port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // An answer that never starts fails after 20 s and is retried by the SDK instead of hanging a test. (It did not
    // explain the hang CI saw in three concurrent digest sends: a GET reading an object s3rver was rewriting in place
    // waited for body bytes that never came; the proxy below now gives reads their key's turn too.)
    requestHandler: { requestTimeout: 20_000, connectionTimeout: 5_000 },
  });
  return {
    endpoint,
    bucket,
    client,
    async close() {
      client.destroy();
      await proxy.close();
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

/**
 * s3rver ignores `If-None-Match` and `If-Match` on PutObject and DeleteObject; S3 honours them since 2024. This
 * loopback proxy in front of it gives the tests S3's answers: every request of an object is serialised per key,
 * and one carrying a condition first reads the object's ETag from s3rver (HEAD) and answers, like S3,
 * 412 PreconditionFailed (`If-None-Match: *` on an existing object, `If-Match` naming another ETag) or 404 NoSuchKey
 * (`If-Match` on a missing object) without forwarding. Everything else passes through untouched.
 */
export async function conditionalWritesProxy(upstreamPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const queues = new Map<string, Promise<void>>();
  const forward = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const up = request(
        { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          upRes.on('end', resolve);
          upRes.on('error', resolve);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
        resolve();
      });
      req.pipe(up);
    });
  const etagOf = (path: string) =>
    new Promise<string | null>((resolve, reject) => {
      const head = request({ host: '127.0.0.1', port: upstreamPort, method: 'HEAD', path }, (r) => {
        r.resume();
        resolve(r.statusCode === 200 ? String(r.headers.etag ?? '') : null);
      });
      head.on('error', reject);
      head.end();
    });
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) => {
    req.resume();
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>proxy</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  };
  const preconditionFailed = (req: IncomingMessage, res: ServerResponse) =>
    refuse(req, res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  const bare = (tag: string) => tag.replace(/^W\//, '').replace(/"/g, '');
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
    // Object requests (`/bucket/key`, no sub-resource such as ?uploads or ?delete) take their key's turn: writes so that
    // conditions are decided one at a time, reads so that a GET never meets a PUT of the same key half-written —
    // s3rver writes an object in place, where S3 replaces it atomically (a read sees the old or the new object).
    // Listings and the rest pass straight on.
    const isObjectRequest =
      ['PUT', 'DELETE', 'GET', 'HEAD'].includes(req.method ?? '') &&
      /^\/[^/]+\/.+/.test(path) &&
      !/[?&](uploads|uploadId|delete)\b/.test(query);
    if (!isObjectRequest) return forward(req, res);
    const isWrite = req.method === 'PUT' || req.method === 'DELETE';
    const previous = queues.get(path) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = previous.then(() => mine);
    queues.set(path, tail);
    await previous;
    try {
      const ifNoneMatch = req.headers['if-none-match'];
      const ifMatch = req.headers['if-match'];
      if (isWrite && (ifNoneMatch !== undefined || ifMatch !== undefined)) {
        const etag = await etagOf(path);
        if (ifNoneMatch === '*' && etag !== null) {
          return preconditionFailed(req, res);
        }
        if (ifMatch !== undefined && etag === null) {
          return refuse(req, res, 404, 'NoSuchKey', 'The specified key does not exist.');
        }
        if (ifMatch !== undefined && etag !== null && bare(String(ifMatch)) !== bare(etag)) {
          return preconditionFailed(req, res);
        }
      }
      await forward(req, res);
    } finally {
      release();
      if (queues.get(path) === tail) queues.delete(path);
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
