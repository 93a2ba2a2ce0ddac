/**
 * The S3 stand-in every S3 test shares (test/helpers/s3.ts: s3rver behind a loopback proxy) must read like S3: an
 * object is replaced atomically, so a GET racing a PUT of the same key returns the old or the new object whole.
 * s3rver alone rewrites the object in place, and a GET that meets the rewrite waits for body bytes that never come
 * (measured: 67 of 300 such GETs hung); that hung a CI run in three concurrent digest sends.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startLocalS3 } from '../helpers/s3';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.close();
});

describe('the tests’ S3 stand-in', () => {
  it('a GET racing a PUT of the same key reads a whole object, old or new, and never hangs', async () => {
    const bodies = Array.from({ length: 7 }, (_, i) => `${String(i)}${'x'.repeat(200 + i * 50)}`);
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'race.json', Body: bodies[0] }));
    const read: string[] = [];
    for (let round = 1; round <= 100; round++) {
      const put = s3.client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: 'race.json', Body: bodies[round % bodies.length] }),
      );
      const get = (async () => {
        const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'race.json' }));
        const text = res.Body!.transformToString();
        const late = new Promise<string>((resolve) => setTimeout(() => resolve('(no whole body in 5 s)'), 5_000));
        read.push(await Promise.race([text, late]));
      })();
      await Promise.all([put, get]);
    }
    expect(read).toHaveLength(100);
    for (const body of read) expect(bodies).toContain(body);
  });
});
