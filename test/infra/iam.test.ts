import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEY, cdkJsonContext, exampleDeploymentConfig, parseDeploymentConfig } from '../../infra/config';
import { ACCOUNT_TAG, FUNCTION_TAG } from '../../infra/constructs/lambda-function';
import { collectorWritePrefixes, type SourceName, tablesBySource } from '../../infra/sources';
import { produceAlerts } from '../../shared/app/alerts';
import { fileWriters } from '../../shared/app/lake';
import { DAY_MS } from '../../shared/core/windows';
import { computeDigest } from '../../shared/digest/metrics';
import { digestTables } from '../../shared/digest/roles';
import {
  alertHistoryEventKey,
  alertOutboxKey,
  alertStateKey,
  checkpointKey,
  digestSentMarkerKey,
} from '../../shared/lake/layout';
import { LocalFolderStore } from '../../shared/lake/local-store';
import type { ObjectStore } from '../../shared/lake/object-store';
import type { Row, TableDef } from '../../shared/lake/table';
import { openWindowWriter } from '../../shared/lake/window-writer';
import { sources } from '../../shared/sources';
import { exampleStack, type Json, resourcesOf, type Synthesized, synthesize, tagValue } from './synth';

const BUCKET = 'lake-bucket';

/** Turns a template value into a plain string: the lake bucket and partition/region/account get fixed values. */
function flatten(s: Synthesized, value: unknown): string {
  const bucketId = s.stack.getLogicalId(s.stack.lake.bucket.node.defaultChild as never);
  const visit = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(visit).join(sep);
    }
    if (o['Fn::GetAtt']) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      return id === bucketId && attr === 'Arn' ? `arn:aws:s3:::${BUCKET}` : `arn:${id}`;
    }
    if (o.Ref) {
      const ref = o.Ref as string;
      return { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' }[ref] ?? ref;
    }
    throw new Error(`cannot flatten ${JSON.stringify(v)}`);
  };
  return visit(value);
}

interface Statement {
  actions: string[];
  resources: string[];
  conditions?: unknown;
}

/** Every Allow statement of the policies attached to a function's role, flattened. */
function statementsOf(s: Synthesized, functionProps: Record<string, unknown>): Statement[] {
  const roleId = ((functionProps.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'] ?? [])[0];
  return resourcesOf(s, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
    .map((st) => {
      expect(st.Effect).toBe('Allow');
      const list = (x: unknown) => (Array.isArray(x) ? x : [x]);
      return {
        actions: list(st.Action) as string[],
        resources: list(st.Resource).map((r) => flatten(s, r)),
        conditions: st.Condition,
      };
    });
}

/** IAM's wildcard match (`*` any run of characters, `?` one). */
const globMatch = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

const objectArn = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;

function allows(statements: Statement[], action: string, resource: string): boolean {
  return statements.some((st) => st.actions.includes(action) && st.resources.some((r) => globMatch(r, resource)));
}

/** Lambda functions of the template with their tags. */
function functions(s: Synthesized) {
  return resourcesOf(s, 'AWS::Lambda::Function').map(([id, p]) => ({
    id,
    props: p,
    name: tagValue(p, FUNCTION_TAG)!,
    account: tagValue(p, ACCOUNT_TAG),
  }));
}

/** An object store that records which keys each operation touched. */
function recording(inner: ObjectStore) {
  const touched = { write: [] as string[], read: [] as string[], list: [] as string[] };
  const store: ObjectStore = {
    location: inner.location,
    putFile: async (key, path, type) => {
      touched.write.push(key);
      await inner.putFile(key, path, type);
    },
    putBytes: async (key, body, type) => {
      touched.write.push(key);
      await inner.putBytes(key, body, type);
    },
    putIfAbsent: async (key, body, type) => {
      touched.write.push(key);
      return inner.putIfAbsent(key, body, type);
    },
    get: async (key) => {
      touched.read.push(key);
      return inner.get(key);
    },
    list: async (prefix) => {
      touched.list.push(prefix);
      return inner.list(prefix);
    },
    delete: async (keys) => {
      touched.write.push(...keys);
      await inner.delete(keys);
    },
    getWithTag: async (key) => {
      touched.read.push(key);
      return inner.getWithTag(key);
    },
    putIfMatch: async (key, body, type, tag) => {
      touched.write.push(key);
      return inner.putIfMatch(key, body, type, tag);
    },
    deleteIfMatch: async (key, tag) => {
      touched.write.push(key);
      return inner.deleteIfMatch(key, tag);
    },
  };
  return { store, touched };
}

function sampleRow(table: TableDef, at: number): Row {
  const value = { timestamp: at, int32: 7, int64: 42, double: 1.5, boolean: true, string: 'x' } as const;
  return Object.fromEntries(table.columns.map((c) => [c.name, value[c.type]]));
}

describe('IAM: least privilege per function', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = exampleStack();
  });

  it('finds each function by its tags', () => {
    expect(functions(s).map((f) => [f.name, f.account])).toEqual([
      ['alerts', undefined],
      ['collect-socketlabs', 'main'],
      ['collect-socketlabs', 'legacy'],
      ['collect-sendsage', 'sendsage'],
      ['digest', undefined],
    ]);
  });

  it('grants no wildcard action, and `*` resources only to actions that have no resource-level permissions', () => {
    const starOnly =
      /^(logs:(CreateLogDelivery|DeleteLogDelivery|DescribeLogGroups|DescribeResourcePolicies|GetLogDelivery|ListLogDeliveries|PutResourcePolicy|UpdateLogDelivery)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets))$/;
    for (const [id, p] of resourcesOf(s, 'AWS::IAM::Policy')) {
      for (const st of (p.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement) {
        const actions = [st.Action].flat() as string[];
        expect(
          actions.filter((a) => a.includes('*')),
          id,
        ).toEqual([]);
        if ([st.Resource].flat().includes('*')) {
          expect(
            actions.filter((a) => !starOnly.test(a)),
            `${id}: * resource`,
          ).toEqual([]);
        }
      }
    }
  });

  it.each([
    ['main', 'socketlabs-v2'],
    ['legacy', 'socketlabs-v1'],
    ['sendsage', 'sendsage'],
  ] as const)('collector %s writes only its own tables and state, reads only its secret', (account, source) => {
    const f = functions(s).find((x) => x.account === account)!;
    const statements = statementsOf(s, f.props);
    const lake = statements.find((st) => st.actions.includes('s3:PutObject'))!;
    expect(lake.actions.sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(lake.resources.sort()).toEqual(
      collectorWritePrefixes(source)
        .map((p) => objectArn(`${p}*`))
        .sort(),
    );
    // Other sources' tables are out of reach.
    for (const [other, tables] of Object.entries(tablesBySource)) {
      if (other === source) continue;
      for (const t of tables)
        expect(allows(statements, 's3:PutObject', objectArn(`${t.name}/dt=2026-01-01/x`))).toBe(false);
    }
    expect(allows(statements, 's3:PutObject', objectArn(digestSentMarkerKey('2026-01-01')))).toBe(false);
    expect(statements.find((st) => st.actions.includes('s3:ListBucket'))!.resources).toEqual([
      `arn:aws:s3:::${BUCKET}`,
    ]);

    const secrets = statements.filter((st) => st.actions.some((a) => a.startsWith('secretsmanager:')));
    const secretName =
      account === 'sendsage'
        ? s.config.sendsage!.secretName
        : s.config.socketlabs.find((a) => a.name === account)!.secretName;
    expect(secrets.flatMap((st) => st.resources)).toEqual([
      `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secretName}-??????`,
    ]);
    expect(secrets.flatMap((st) => st.actions).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    // Nothing else: logs of its own group, and nothing about SES.
    expect(statements.flatMap((st) => st.actions).some((a) => a.startsWith('ses:'))).toBe(false);
  });

  it('the digest sends only as the configured sender through the configured identity', () => {
    const f = functions(s).find((x) => x.name === 'digest')!;
    const statements = statementsOf(s, f.props);
    const ses = statements.filter((st) => st.actions.some((a) => a.startsWith('ses:')));
    expect(ses).toEqual([
      {
        actions: ['ses:SendRawEmail'],
        resources: [`arn:aws:ses:eu-west-1:123456789012:identity/${s.config.digest.sesIdentity}`],
        conditions: { StringEquals: { 'ses:FromAddress': s.config.digest.from } },
      },
    ]);
    // Reads the lake, writes only its sent markers; no secrets.
    expect(allows(statements, 's3:PutObject', objectArn(digestSentMarkerKey('2026-01-01')))).toBe(true);
    expect(
      allows(
        statements,
        's3:GetObject',
        objectArn('_rollups/socketlabs_messages/dt=2026-01-01/server_id=1/part-x.totals.json'),
      ),
    ).toBe(true);
    expect(
      allows(statements, 's3:PutObject', objectArn('socketlabs_messages/dt=2026-01-01/server_id=1/part-x.parquet')),
    ).toBe(false);
    expect(allows(statements, 's3:PutObject', objectArn('_state/checkpoints/socketlabs-v2/1/messages.json'))).toBe(
      false,
    );
    expect(statements.flatMap((st) => st.actions).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    // And parks failed asynchronous invocations in the DLQ.
    expect(statements.some((st) => st.actions.includes('sqs:SendMessage'))).toBe(true);
  });

  it('the alerts read only rollups, write only their state, publish only to their topic, read no secret unconfigured', () => {
    const statements = statementsOf(s, functions(s).find((f) => f.name === 'alerts')!.props);
    const topicId = s.stack.getLogicalId(s.stack.alerts.topic.node.defaultChild as never);
    const rollup = '_rollups/socketlabs_messages/dt=2026-01-01/server_id=1/part-x.totals.json';
    expect(allows(statements, 's3:GetObject', objectArn(rollup))).toBe(true);
    expect(allows(statements, 's3:PutObject', objectArn(rollup))).toBe(false);
    expect(allows(statements, 's3:PutObject', objectArn(alertStateKey()))).toBe(true);
    // The outbox: an announcement is queued, read back and deleted once delivered.
    const queued = objectArn(alertOutboxKey(Date.parse('2026-01-01T10:05:00Z'), 'opened', 'volume:1', 'sns'));
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
      expect(allows(statements, action, queued), action).toBe(true);
    }
    expect(
      allows(statements, 's3:GetObject', objectArn('socketlabs_messages/dt=2026-01-01/server_id=1/x.parquet')),
    ).toBe(false);
    expect(allows(statements, 's3:GetObject', objectArn(digestSentMarkerKey('2026-01-01')))).toBe(false);
    const sns = statements.filter((st) => st.actions.some((a) => a.startsWith('sns:')));
    expect(sns).toEqual([{ actions: ['sns:Publish'], resources: [topicId], conditions: undefined }]);
    expect(statements.flatMap((st) => st.actions).some((a) => /^(secretsmanager|ses|kms):/.test(a))).toBe(false);
  });

  it('the alerts read the webhook secret the config names, its value only', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:inboxlake/alert-webhook-AbC123';
    const withHook = synthesize(
      parseDeploymentConfig({ ...(cdkJsonContext()[CONTEXT_KEY] as object), alerts: { webhookSecretArn: arn } }),
    );
    const f = functions(withHook).find((x) => x.name === 'alerts')!;
    const secrets = statementsOf(withHook, f.props).filter((st) =>
      st.actions.some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secrets).toEqual([{ actions: ['secretsmanager:GetSecretValue'], resources: [arn], conditions: undefined }]);
    expect((f.props.Environment as Json).Variables.INBOXLAKE_ALERT_WEBHOOK_SECRET_ARN).toBe(arn);
  });

  it('the digest reads only the rollups, its own state and the SendSage tables it uses', () => {
    const statements = statementsOf(s, functions(s).find((x) => x.name === 'digest')!.props);
    const reads = (key: string) => allows(statements, 's3:GetObject', objectArn(key));
    expect(reads('_rollups/socketlabs_messages/dt=2026-01-01/server_id=1/part-x.hard_bounces.json')).toBe(true);
    expect(reads('_rollups/socketlabs_failed/dt=2026-01-01/server_id=1/part-x.totals.json')).toBe(true);
    expect(reads(digestSentMarkerKey('2026-01-01'))).toBe(true);
    // The alert history (its intraday section), not the alerts' own state.
    expect(reads(alertHistoryEventKey(Date.parse('2026-01-01T10:05:00Z'), 'opened', 'volume:1'))).toBe(true);
    expect(reads(alertStateKey())).toBe(false);
    for (const t of ['sendsage_campaigns', 'sendsage_isp_results', 'sendsage_spam_rules', 'sendsage_messages']) {
      expect(reads(`${t}/dt=2026-01-01/part-campaign-1.parquet`), t).toBe(true);
    }
    // The SocketLabs tables hold every recipient address of every message: the digest needs only their rollups.
    for (const t of [...tablesBySource['socketlabs-v2']!, ...tablesBySource['socketlabs-v1']!]) {
      expect(reads(`${t.name}/dt=2026-01-01/server_id=1/part-x.parquet`), t.name).toBe(false);
      expect(reads(`_quarantine/${t.name}/dt=2026-01-01/server_id=1/part-x.jsonl`), t.name).toBe(false);
    }
    for (const t of ['sendsage_seed_results', 'sendsage_previews', 'sendsage_seedlist']) {
      expect(reads(`${t}/dt=2026-01-01/part-x.parquet`), t).toBe(false);
    }
    expect(reads(checkpointKey('socketlabs-v2', '10001', 'messages'))).toBe(false);
    expect(reads('_athena-results/q.csv')).toBe(false);
    // Claiming a day and releasing the claim when SES fails.
    for (const action of ['s3:PutObject', 's3:DeleteObject']) {
      expect(allows(statements, action, objectArn(digestSentMarkerKey('2026-01-01'))), action).toBe(true);
    }
  });

  it('runs one digest at a time (reserved concurrency 1): a manual invoke waits for the scheduled one', () => {
    const f = functions(s).find((x) => x.name === 'digest')!;
    expect(f.props.ReservedConcurrentExecutions).toBe(1);
  });

  it("every schedule role trusts the scheduler only from this account's default schedule group", () => {
    const roles = resourcesOf(s, 'AWS::IAM::Role').filter(([, p]) =>
      JSON.stringify(p.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    const digestSchedule = resourcesOf(s, 'AWS::Scheduler::Schedule').find(([, p]) =>
      String(p.Description).startsWith('digest:'),
    )!;
    const digestRole = (digestSchedule[1].Target as { RoleArn: { 'Fn::GetAtt': string[] } }).RoleArn['Fn::GetAtt'][0];
    expect(roles.map(([id]) => id)).toContain(digestRole);
    for (const [id, p] of roles) {
      const [statement, ...others] = (p.AssumeRolePolicyDocument as { Statement: Record<string, Json>[] }).Statement;
      expect(others, id).toEqual([]);
      const equals = statement!.Condition.StringEquals as Record<string, unknown>;
      expect(Object.fromEntries(Object.entries(equals).map(([k, v]) => [k, flatten(s, v)])), id).toEqual({
        'aws:SourceAccount': '123456789012',
        'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default',
      });
    }
  });

  it('adds the recipients to the SES resources while the account is in the sandbox', () => {
    const sandboxed = synthesize({ ...s.config, digest: { ...s.config.digest, sesSandbox: true } });
    const f = functions(sandboxed).find((x) => x.name === 'digest')!;
    const ses = statementsOf(sandboxed, f.props).find((st) => st.actions.includes('ses:SendRawEmail'))!;
    expect(ses.resources.sort()).toEqual(
      [s.config.digest.sesIdentity, ...s.config.digest.to]
        .map((i) => `arn:aws:ses:eu-west-1:123456789012:identity/${i}`)
        .sort(),
    );
  });
});

describe('IAM: secrets encrypted with a customer-managed KMS key', () => {
  const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const kmsOf = (s: Synthesized, props: Record<string, unknown>) =>
    statementsOf(s, props).filter((st) => st.actions.some((a) => a.startsWith('kms:')));
  const readsSecret = (s: Synthesized, props: Record<string, unknown>) =>
    statementsOf(s, props).some((st) => st.actions.includes('secretsmanager:GetSecretValue'));

  it('grants kms:Decrypt on the configured key, via Secrets Manager only, to every function that reads a secret', () => {
    const s = synthesize({ ...exampleDeploymentConfig(), secretsKmsKeyArn: keyArn });
    const all = functions(s);
    const readers = all.filter((f) => readsSecret(s, f.props));
    expect(readers.map((f) => f.account)).toEqual(['main', 'legacy', 'sendsage']);
    for (const f of all) {
      const kms = kmsOf(s, f.props);
      if (!readers.includes(f)) {
        expect(kms, f.name).toEqual([]);
        continue;
      }
      expect(
        kms.map((st) => [st.actions, st.resources]),
        f.account,
      ).toEqual([[['kms:Decrypt'], [keyArn]]]);
      const via = (kms[0]!.conditions as { StringEquals: Record<string, unknown> }).StringEquals['kms:ViaService'];
      expect(flatten(s, via)).toBe('secretsmanager.eu-west-1.amazonaws.com');
    }
  });

  it('grants no KMS access when no key is configured', () => {
    const s = exampleStack();
    for (const f of functions(s)) expect(kmsOf(s, f.props), f.name).toEqual([]);
  });
});

describe("IAM against the code's real writes", () => {
  let root: string;
  let s: Synthesized;
  const day = Date.UTC(2026, 2, 1);
  beforeAll(async () => {
    s = exampleStack();
    root = await mkdtemp(join(tmpdir(), 'inboxlake-iam-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const collectorOf: Record<SourceName, string> = {
    'socketlabs-v2': 'main',
    'socketlabs-v1': 'legacy',
    sendsage: 'sendsage',
  };

  it.each(
    Object.entries(tablesBySource).flatMap(([source, tables]) =>
      tables.map((t) => [t.name, source as SourceName, t] as const),
    ),
  )('%s: every key the window writer writes or deletes is granted to its collector', async (_name, source, table) => {
    const statements = statementsOf(s, functions(s).find((f) => f.account === collectorOf[source])!.props);
    const { store, touched } = recording(new LocalFolderStore(join(root, table.name)));
    const partition = Object.fromEntries(
      table.partitionKeys.map((k) => [k.name, k.type === 'date' ? '2026-03-01' : 10001]),
    );
    // Twice: the second run replaces the first (put, list, delete), as a re-collected window does.
    for (const run of [1, 2]) {
      const writer = await openWindowWriter({
        store,
        table,
        partition,
        window: run === 1 ? { start: day, end: day + DAY_MS } : { start: day, end: day + DAY_MS / 2 },
        formats: ['parquet', 'csv'],
        writers: fileWriters,
        tmpDir: join(root, 'tmp'),
        now: () => day + DAY_MS,
      });
      await writer.append([sampleRow(table, day + 3_600_000)]);
      await writer.quarantine([{ reason: 'test', raw: { a: 1 } }]);
      await writer.commit();
    }
    expect(touched.write.length).toBeGreaterThan(4);
    for (const key of touched.write) expect(allows(statements, 's3:PutObject', objectArn(key)), key).toBe(true);
    for (const key of touched.write) expect(allows(statements, 's3:DeleteObject', objectArn(key)), key).toBe(true);
  });

  it('the digest: every key computeDigest reads is granted to it', async () => {
    const statements = statementsOf(s, functions(s).find((f) => f.name === 'digest')!.props);
    const { store, touched } = recording(new LocalFolderStore(join(root, 'digest-lake')));
    // One window of sample rows in every table, so the digest finds rollups, campaigns and their detail.
    await writeSampleDay(store);
    touched.read.length = 0;
    const digest = await computeDigest(store, {
      tables: digestTables(sources),
      date: '2026-03-01',
      timeZone: 'UTC',
      now: day + DAY_MS,
    });
    expect(digest.sendsage.campaigns).toHaveLength(1);
    expect(touched.read.some((k) => k.startsWith('_rollups/socketlabs_'))).toBe(true);
    expect(touched.read.some((k) => k.startsWith('sendsage_messages/'))).toBe(true);
    for (const key of touched.read) expect(allows(statements, 's3:GetObject', objectArn(key)), key).toBe(true);
  });

  /** One window of sample rows in every table (with their rollups) on the test's day. */
  async function writeSampleDay(store: ObjectStore) {
    for (const table of Object.values(tablesBySource).flat()) {
      const partition = Object.fromEntries(
        table.partitionKeys.map((k) => [k.name, k.type === 'date' ? '2026-03-01' : 10001]),
      );
      const writer = await openWindowWriter({
        store,
        table,
        partition,
        window: { start: day, end: day + DAY_MS },
        formats: ['parquet'],
        writers: fileWriters,
        tmpDir: join(root, 'tmp'),
        now: () => day + DAY_MS,
      });
      await writer.append([sampleRow(table, day + 3_600_000)]);
      await writer.commit();
    }
  }

  it('the alerts: every key an evaluation reads or writes is granted to them', async () => {
    const statements = statementsOf(s, functions(s).find((f) => f.name === 'alerts')!.props);
    const { store, touched } = recording(new LocalFolderStore(join(root, 'alerts-lake')));
    await writeSampleDay(store);
    touched.read.length = 0;
    touched.write.length = 0;
    const result = await produceAlerts(store, { at: day + 3 * 3_600_000 + 5 * 60_000 });
    expect(result.report.unreadable_files).toEqual([]);
    expect(touched.read.some((k) => k.startsWith('_rollups/socketlabs_'))).toBe(true);
    expect(touched.write).toEqual([alertStateKey()]);
    for (const key of touched.read) expect(allows(statements, 's3:GetObject', objectArn(key)), key).toBe(true);
    for (const key of touched.write) expect(allows(statements, 's3:PutObject', objectArn(key)), key).toBe(true);
  });

  it.each(Object.keys(collectorOf) as SourceName[])('%s: its checkpoints are granted', (source) => {
    const statements = statementsOf(s, functions(s).find((f) => f.account === collectorOf[source])!.props);
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      expect(allows(statements, action, objectArn(checkpointKey(source, '10001', 'messages')))).toBe(true);
    }
  });
});
