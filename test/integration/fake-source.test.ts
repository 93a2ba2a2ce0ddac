import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTEXT_KEY, cdkJsonContext, parseDeploymentConfig } from '../../infra/config';
import { FUNCTION_TAG } from '../../infra/constructs/lambda-function';
import { InboxlakeStack } from '../../infra/stack';
import { main } from '../../shared/cli/main';
import { computeDigest, digestReadPrefixes } from '../../shared/digest/metrics';
import { digestTables } from '../../shared/digest/roles';
import { LocalFolderStore } from '../../shared/lake/local-store';
import { openLakeQuery } from '../../shared/lake/query';
import { sources, tablesOf } from '../../shared/sources';
import { fakemail } from '../fixtures/fakemail';
import { type FakemailEvent, type FakemailSimulator, startFakemailSimulator } from '../fixtures/fakemail/server';
import { scratch } from '../helpers/collect';
import type { Json } from '../infra/synth';

/**
 * The proof that a source plugs in at one place: Fakemail (test/fixtures/fakemail: a descriptor, a loopback
 * simulator, one table) is added to the registry — the real sources plus one line — and nothing else. The CLI
 * collects it, the stack deploys a collector for it with a schedule and a Glue table, and the digest counts it by
 * the role its table declares.
 */
const registry = [...sources, fakemail];
const DAY = '2026-11-10';
const TOKEN = 'fakemail-t0ken-never-printed';
const SERVER = 4242;

/** 30 sends and 4 bounces spread over the day; a send on the day after, outside the range. */
const events: FakemailEvent[] = [
  ...Array.from({ length: 34 }, (_, i) => ({
    server: SERVER,
    time: new Date(Date.parse(`${DAY}T00:00:00Z`) + i * 40 * 60_000).toISOString(),
    event: i % 9 === 8 ? ('bounced' as const) : ('sent' as const),
    to: `r${i}@example.org`,
  })),
  { server: SERVER, time: '2026-11-11T03:00:00.000Z', event: 'sent', to: 'late@example.org' },
];

describe('a source added through the registry only (Fakemail)', () => {
  let sim: FakemailSimulator;
  let lake: string;
  const written: string[] = [];

  beforeAll(async () => {
    sim = await startFakemailSimulator({ token: TOKEN, events });
    lake = await scratch('fakemail-lake');
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await sim.close();
  });

  it('is collected by `inboxlake collect fakemail` into the lake', async () => {
    const env = {
      INBOXLAKE_LAKE: lake,
      INBOXLAKE_TMP: await scratch('fakemail-tmp'),
      FAKEMAIL_API_URL: sim.url,
      FAKEMAIL_TOKEN: TOKEN,
      FAKEMAIL_SERVER_IDS: String(SERVER),
    };
    const code = await main(['collect', 'fakemail', '--from', DAY, '--to', DAY], env, registry);
    expect(code, written.join('')).toBe(0);
    expect(sim.requests()).toBeGreaterThan(0);
    expect(written.join('')).toContain(`collecting Fakemail ${DAY} → ${DAY}`);

    const q = await openLakeQuery({ lakeDir: lake, tables: tablesOf(registry) });
    const result = await q.run('select server_id, event, count(*) from fakemail_events group by 1, 2 order by 2');
    await q.close();
    expect(result.rows.map((r) => [String(r[0]), r[1], Number(r[2])])).toEqual([
      [String(SERVER), 'bounced', 3],
      [String(SERVER), 'sent', 31],
    ]);
  });

  it('is listed by `inboxlake --help` and refused by name nowhere else', async () => {
    written.length = 0;
    expect(await main(['--help'], {}, registry)).toBe(0);
    expect(written.join('')).toContain('inboxlake collect fakemail');
    // The default registry does not know it.
    await expect(main(['collect', 'fakemail'], { INBOXLAKE_LAKE: lake })).rejects.toThrow(
      "collect takes a source: 'socketlabs' or 'sendsage'",
    );
  });

  it('is counted by the digest through the role its table declares', async () => {
    const tables = digestTables(registry);
    expect(digestReadPrefixes(tables)).toContain('_rollups/fakemail_events/');
    const digest = await computeDigest(new LocalFolderStore(lake), {
      date: DAY,
      timeZone: 'UTC',
      now: Date.parse('2026-11-12T08:00:00Z'),
      tables,
    });
    const server = digest.socketlabs.servers.find((s) => s.server_id === SERVER);
    expect(server).toMatchObject({
      source: 'fakemail',
      queued: 34,
      processed: 31,
      hard_bounces: 3,
      soft_bounces: 0,
      bounce_rate: 3 / 34,
    });
    // Without the registry line, the digest does not read its table.
    const without = await computeDigest(new LocalFolderStore(lake), {
      tables: digestTables(sources),
      date: DAY,
      timeZone: 'UTC',
      now: Date.parse('2026-11-12T08:00:00Z'),
    });
    expect(without.socketlabs.servers.find((s) => s.server_id === SERVER)).toBeUndefined();
  });

  it('is synthesized as a collector function with its schedule, IAM and a Glue table', () => {
    const raw = {
      ...(cdkJsonContext()[CONTEXT_KEY] as Record<string, unknown>),
      fakemail: [{ name: 'fk', secretName: 'inboxlake/fakemail', serverIds: [SERVER] }],
    };
    const config = parseDeploymentConfig(raw, registry);
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'inboxlake-fakemail-cdk-')),
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new InboxlakeStack(app, 'Inboxlake', { config, registry });
    const template = Template.fromStack(stack);
    const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> };
    const resources = Object.entries(json.Resources);

    const functions = resources.filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Tags as { Key: string; Value: string }[] | undefined)?.some(
          (t) => t.Key === FUNCTION_TAG && t.Value === 'collect-fakemail',
        ),
    );
    expect(functions).toHaveLength(1);
    const [fnId, fn] = functions[0]!;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      INBOXLAKE_SOURCE: 'fakemail',
      FAKEMAIL_SERVER_IDS: String(SERVER),
      INBOXLAKE_ACCOUNT: 'fk',
    });
    expect(Object.keys(fn.Properties.Environment.Variables)).toContain('FAKEMAIL_SECRET_ARN');

    // Its schedule starts its state machine, which invokes the function.
    const schedules = resources.filter(
      ([, r]) => r.Type === 'AWS::Scheduler::Schedule' && String(r.Properties.Description).startsWith('fakemail-fk:'),
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0]![1].Properties.ScheduleExpression).toBe('cron(45 * * * ? *)');
    const machineId = schedules[0]![1].Properties.Target.Arn.Ref as string;
    expect(JSON.stringify(json.Resources[machineId]!.Properties)).toContain(fnId);

    // Its role may write its table's areas and its own state, nothing of another source.
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const policies = resources
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
      .map(([, r]) => JSON.stringify(r.Properties.PolicyDocument));
    expect(policies.join('')).toContain('/fakemail_events/*');
    expect(policies.join('')).toContain('/_state/checkpoints/fakemail/*');
    expect(policies.join('')).not.toContain('/socketlabs_messages/*');

    // The Glue table, projected over its servers.
    const glue = resources.filter(
      ([, r]) => r.Type === 'AWS::Glue::Table' && r.Properties.TableInput.Name === 'fakemail_events',
    );
    expect(glue).toHaveLength(1);
    expect(glue[0]![1].Properties.TableInput.Parameters['projection.server_id.values']).toBe(String(SERVER));
  });
});
