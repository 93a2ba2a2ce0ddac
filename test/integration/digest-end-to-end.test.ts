import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produceDigest } from '../../shared/app/digest';
import { loadDigestConfig } from '../../shared/config';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { KEY, localStore, runCollection, scratch, simulatorEnv, USER } from '../helpers/collect';
import { startLocalSes } from '../helpers/ses';

describe('digest end to end: lake → digest.json → SES emulator', () => {
  let sim: V1Simulator;
  let ses: Awaited<ReturnType<typeof startLocalSes>>;
  let lakeDir: string;
  beforeAll(async () => {
    sim = await startV1Simulator({
      seed: 17,
      serverIds: [1234, 5678],
      from: '2026-11-13',
      to: '2026-11-21',
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 400,
      burst: 4,
    });
    lakeDir = await scratch('digest-e2e');
    await runCollection({
      store: localStore(lakeDir),
      env: simulatorEnv(sim, [1234, 5678]),
      from: '2026-11-14',
      to: '2026-11-20',
    });
    ses = await startLocalSes();
  });
  afterAll(async () => {
    await sim.close();
    await ses.close();
  });

  it('sends HTML, text and the hard-bounce CSV that agree with digest.json; a second send is refused unless forced', async () => {
    const config = loadDigestConfig({
      INBOXLAKE_TIMEZONE: 'America/Chicago',
      INBOXLAKE_DIGEST_FROM: 'digest@example.com',
      INBOXLAKE_DIGEST_TO: 'ops@example.com,deliverability@example.org',
    });
    const request = {
      date: '2026-11-19',
      timeZone: config.timeZone,
      outDir: await scratch('outbox'),
      send: true,
      force: false,
    };
    const first = await produceDigest(localStore(lakeDir), config, request, { now: Date.now, ses: ses.client });
    expect(first.sent?.sent).toBe(true);
    const [mail] = await ses.stored();
    expect(mail!.subject).toBe(first.subject);
    const d = first.digest;
    // The figures of every server appear in both parts.
    for (const s of d.socketlabs.servers) {
      expect(mail!.body.html).toContain(`${s.server_id}`);
      expect(mail!.body.text).toContain(s.queued.toLocaleString('en-US'));
    }
    const csv = mail!.attachments.find((a) => a.contentType.startsWith('text/csv'))!;
    const rows = Papa.parse<Record<string, string>>(Buffer.from(csv.content, 'base64').toString('utf8'), {
      header: true,
      skipEmptyLines: true,
    }).data;
    expect(rows.map((r) => [Number(r.server_id), r.address])).toEqual(
      d.hard_bounced_addresses.map((a) => [a.server_id, a.address]),
    );
    expect(rows.length).toBeGreaterThan(0);

    const again = await produceDigest(localStore(lakeDir), config, request, { now: Date.now, ses: ses.client });
    expect(again.sent).toMatchObject({ sent: false });
    expect(await ses.stored()).toHaveLength(1);
    const forced = await produceDigest(
      localStore(lakeDir),
      config,
      { ...request, force: true },
      { now: Date.now, ses: ses.client },
    );
    expect(forced.sent?.sent).toBe(true);
    expect(await ses.stored()).toHaveLength(2);
  });
});
