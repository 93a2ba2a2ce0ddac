import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_TAG, FUNCTION_TAG } from '../../infra/constructs/lambda-function';
import { collectorWritePrefixes, type SourceName, tablesBySource } from '../../infra/sources';
import { fileWriters } from '../../shared/app/lake';
import { DAY_MS } from '../../shared/engine/windows';
import { checkpointKey, digestSentMarkerKey } from '../../shared/lake/layout';
import { LocalFolderStore } from '../../shared/lake/local-store';
import type { ObjectStore } from '../../shared/lake/object-store';
import type { Row, TableDef } from '../../shared/lake/table';
import { openWindowWriter } from '../../shared/lake/window-writer';
import { exampleStack, resourcesOf, type Synthesized, synthesize, tagValue } from './synth';

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

  it.each(Object.keys(collectorOf) as SourceName[])('%s: its checkpoints are granted', (source) => {
    const statements = statementsOf(s, functions(s).find((f) => f.account === collectorOf[source])!.props);
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      expect(allows(statements, action, objectArn(checkpointKey(source, '10001', 'messages')))).toBe(true);
    }
  });
});
