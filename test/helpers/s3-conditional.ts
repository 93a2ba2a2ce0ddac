import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import type { LocalS3 } from './s3';

/**
 * A loopback proxy in front of s3rver that answers a `PUT` with `If-None-Match: *` as S3 does: 412
 * PreconditionFailed when the object exists (s3rver ignores the header). Conditional PUTs of one key are serialised,
 * so the check and the write are one step, as on S3. Everything else passes through unchanged.
 */
export async function startConditionalS3(s3: LocalS3) {
  const target = new URL(s3.endpoint);
  const locks = new Map<string, Promise<unknown>>();
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) =>
    new Promise<void>((resolve, reject) => {
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res).on('finish', resolve).on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  const exists = (path: string) =>
    new Promise<boolean>((resolve, reject) => {
      const head = request({ host: target.hostname, port: target.port, method: 'HEAD', path }, (r) => {
        r.resume();
        resolve(r.statusCode === 200);
      });
      head.on('error', reject);
      head.end();
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'PUT' || req.headers['if-none-match'] !== '*') {
        forward(req, body, res).catch(() => res.destroy());
        return;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      const step = (locks.get(path) ?? Promise.resolve()).then(async () => {
        if (await exists(path)) {
          res.writeHead(412, { 'content-type': 'application/xml' });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
              '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
              '<Condition>If-None-Match</Condition></Error>',
          );
          return;
        }
        await forward(req, body, res);
      });
      locks.set(
        path,
        step.catch(() => res.destroy()),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    client,
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
