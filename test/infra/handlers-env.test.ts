import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Context } from 'aws-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundlingOptions, type FunctionName, handlerEntries } from '../../infra/bundling';
import { type DeploymentConfig, exampleDeploymentConfig } from '../../infra/config';
import { FUNCTION_TAG } from '../../infra/constructs/lambda-function';
import { allTables } from '../../shared/catalog';
import { DAY_MS, utcDay } from '../../shared/core/windows';
import { rereadAfterSchema, scheduledRange } from '../../shared/engine/reread-schedule';
import { alertStateKey } from '../../shared/lake/layout';
import { openLakeQuery } from '../../shared/lake/query';
import { type SendSageSimulator, startSendSageSimulator } from '../../shared/sandbox/sendsage/server';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { KEY, lakeRows, truthRows, USER } from '../helpers/collect';
import { KEY_V2, lakeMessages, truthMessages } from '../helpers/collect-v2';
import { downloadLake, type LocalS3, startLocalS3 } from '../helpers/s3';
import { type LocalSecretsManager, startLocalSecretsManager } from '../helpers/secrets-manager';
import { startLocalSes } from '../helpers/ses';
import { type LocalSns, startLocalSns } from '../helpers/sns';
import { exampleStack, tagValue } from './synth';

/**
 * Each handler run with the environment the synthesized stack gives its function: the template's
 * `Environment.Variables`, CloudFormation tokens resolved against local stand-ins (the lake bucket → s3rver's bucket,
 * secret ARNs → the fake Secrets Manager), plus only what cannot come from a template: the local endpoints, the
 * simulators in place of the real APIs (with their faster rate windows), fake AWS credentials and the AWS_REGION the
 * Lambda runtime sets. Each run is checked against what the function's IAM policy in the same template allows.
 */

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
};
const SENDSAGE_PASSWORD = 'stack-env-Pa55word';
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const day = (n: number) => utcDay(today + n * DAY_MS);

type Resource = { Type: string; Properties: Record<string, unknown> };
type Report = Record<string, unknown>;
type Handler = (event: unknown, context: Context) => Promise<Report>;

interface DeployedFunction {
  readonly logicalId: string;
  readonly name: FunctionName;
  readonly env: Record<string, unknown>;
  readonly timeoutMs: number;
  /** The event its schedule sends (through the collector's state machine, unchanged). */
  readonly event: unknown;
  /** Object keys the function's role may put or delete, as patterns. */
  readonly writable: readonly RegExp[];
}

describe('each handler against local servers with the environment the synthesized stack gives it', () => {
  let config: DeploymentConfig;
  let resources: Record<string, Resource>;
  let functions: DeployedFunction[];
  let lakeBucketId: string;
  let s3: LocalS3;
  let sm: LocalSecretsManager;
  let ses: Awaited<ReturnType<typeof startLocalSes>>;
  let sns: LocalSns;
  let v1: V1Simulator;
  let v2: V2Simulator;
  let sendsage: SendSageSimulator;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const bundles = {} as Record<FunctionName, string>;
  let coldStarts = 0;

  /** A template value with its tokens resolved against the local stand-ins. */
  function resolve(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') {
      if (PSEUDO[v.Ref]) return PSEUDO[v.Ref]!;
      if (v.Ref === lakeBucketId) return s3.bucket;
      // A topic's Ref is its ARN; the local SNS takes any.
      if (resources[v.Ref]?.Type === 'AWS::SNS::Topic') {
        return `arn:aws:sns:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}:${v.Ref}`;
      }
    }
    if (Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id, attribute] = v['Fn::GetAtt'] as [string, string];
      if (id === lakeBucketId && attribute === 'Arn') return `arn:aws:s3:::${s3.bucket}`;
    }
    throw new Error(`no local stand-in for ${JSON.stringify(value)}`);
  }

  /** `arn:aws:s3:::bucket/prefix*` resources of the role's s3:PutObject/DeleteObject statements, as key patterns. */
  function writablePatterns(roleId: string): RegExp[] {
    const out: RegExp[] = [];
    for (const r of Object.values(resources)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      if (!JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`)) continue;
      const statements = (r.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      for (const s of statements) {
        const actions = ([] as unknown[]).concat(s.Action);
        if (s.Effect !== 'Allow' || !actions.some((a) => a === 's3:PutObject' || a === 's3:*')) continue;
        for (const res of ([] as unknown[]).concat(s.Resource)) {
          const arn = resolve(res);
          const objects = `arn:aws:s3:::${s3.bucket}/`;
          if (!arn.startsWith(objects)) continue;
          const glob = arn.slice(objects.length);
          out.push(new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
        }
      }
    }
    return out;
  }

  /** The input of the schedule that (directly, or through a state machine) invokes a function. */
  function scheduledEvent(functionId: string): unknown {
    const invokes = (r: Resource) => JSON.stringify(r.Properties).includes(`"${functionId}"`);
    const machines = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && invokes(r))
      .map(([id]) => id);
    const schedule = Object.values(resources).find((r) => {
      if (r.Type !== 'AWS::Scheduler::Schedule') return false;
      const target = JSON.stringify((r.Properties.Target as { Arn: unknown }).Arn);
      return target.includes(`"${functionId}"`) || machines.some((m) => target.includes(`"${m}"`));
    });
    if (!schedule) throw new Error(`no schedule invokes ${functionId}`);
    return JSON.parse((schedule.Properties.Target as { Input: string }).Input);
  }

  /** Every object of the bucket with its ETag, to see what a run put or deleted. */
  async function snapshot(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await s3.client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) out.set(o.Key!, `${o.ETag}@${o.LastModified?.getTime()}`);
      token = page.NextContinuationToken;
    } while (token);
    return out;
  }

  /** The keys a run created, replaced or removed. */
  const changed = (before: Map<string, string>, after: Map<string, string>) =>
    [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).sort();

  /** The simulator (or emulator) standing in for the API a function's environment names. */
  function localOverrides(f: DeployedFunction): Record<string, string> {
    const common = {
      INBOXLAKE_S3_ENDPOINT: s3.endpoint,
      INBOXLAKE_SECRETS_ENDPOINT: sm.endpoint,
      INBOXLAKE_SES_ENDPOINT: ses.endpoint,
      INBOXLAKE_SNS_ENDPOINT: sns.endpoint,
      AWS_REGION: PSEUDO['AWS::Region']!,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    };
    if (f.name === 'collect-socketlabs') {
      const v1Api = resolve(f.env.SOCKETLABS_API_URL).endsWith('/v1');
      return {
        ...common,
        SOCKETLABS_API_URL: v1Api ? v1.url : v2.url,
        // The simulators' rate windows run faster than the real APIs'; the clients are told so.
        ...(v1Api ? { SOCKETLABS_REQUESTS_PER_SECOND: '100' } : { SOCKETLABS_RATE_SCALE: '100' }),
      };
    }
    if (f.name === 'collect-sendsage') {
      return { ...common, SENDSAGE_API_URL: sendsage.url, SENDSAGE_REQUESTS_PER_SECOND: '50' };
    }
    return common;
  }

  /**
   * Loads the function's handler fresh (a cold start) with exactly the stack's environment plus the overrides: the
   * bundle the stack deploys (same esbuild options), so what runs here is the artifact, not only its sources.
   */
  async function coldStart(f: DeployedFunction): Promise<Handler> {
    // Nothing of this process's own configuration may leak in: Lambda starts with the template's variables only.
    for (const name of Object.keys(process.env)) {
      if (/^(INBOXLAKE|SOCKETLABS|SENDSAGE)_/.test(name)) vi.stubEnv(name, undefined);
    }
    for (const [name, value] of Object.entries(f.env)) vi.stubEnv(name, resolve(value));
    for (const [name, value] of Object.entries(localOverrides(f))) vi.stubEnv(name, value);
    // A new URL is a new module instance: the bundle's top-level code runs again, as in a new container.
    const url = `${pathToFileURL(bundles[f.name]!).href}?cold=${++coldStarts}`;
    return (await import(/* @vite-ignore */ url)).handler as Handler;
  }

  /** Invokes as the collector's state machine does: the same event again while the report says `more`. */
  async function invokeLikeTheStack(f: DeployedFunction) {
    const context = { getRemainingTimeInMillis: () => f.timeoutMs, awsRequestId: f.logicalId } as unknown as Context;
    const before = await snapshot();
    const reports: Report[] = [];
    try {
      // The environment stays for the invocations too: the SDK reads credentials when it first signs a request.
      const handler = await coldStart(f);
      do reports.push(await handler(f.event, context));
      while (reports.at(-1)!.more === true && reports.length < 10);
    } finally {
      vi.unstubAllEnvs();
    }
    return { reports, report: reports.at(-1)!, changed: changed(before, await snapshot()) };
  }

  const emf = () =>
    stdout
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => l.startsWith('{"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } });

  const fn = (name: FunctionName, account?: string) => {
    const found = functions.filter(
      (f) => f.name === name && (account === undefined || resolve(f.env.INBOXLAKE_ACCOUNT) === account),
    );
    expect(found, `${name} ${account ?? ''}`).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    // cdk.json's example config, synthesized as the CLI would (without bundling; the bundles are built below).
    const synthesized = exampleStack();
    const { stack } = synthesized;
    config = synthesized.config;
    resources = synthesized.json.Resources as Record<string, Resource>;
    lakeBucketId = stack.getLogicalId(stack.lake.bucket.node.defaultChild as CfnBucket);

    const outdir = await mkdtemp(join(tmpdir(), 'inboxlake-bundles-'));
    for (const [name, entry] of Object.entries(handlerEntries) as [FunctionName, string][]) {
      await build({ ...bundlingOptions, entryPoints: { [name]: entry }, outdir });
      bundles[name] = join(outdir, `${name}.mjs`);
    }

    s3 = await startLocalS3();
    ses = await startLocalSes();
    sns = await startLocalSns();
    const secrets: Record<string, string> = {};
    for (const a of config.socketlabs) {
      secrets[a.secretName] = JSON.stringify(
        a.apiGeneration === 'v1' ? { apiKey: KEY, username: USER } : { apiKey: KEY_V2 },
      );
    }
    if (config.sendsage) {
      secrets[config.sendsage.secretName] = JSON.stringify({ username: 'stack', password: SENDSAGE_PASSWORD });
    }
    sm = await startLocalSecretsManager(secrets, PSEUDO['AWS::Region']);

    const servers = (g: 'v1' | 'v2') =>
      config.socketlabs.filter((a) => a.apiGeneration === g).flatMap((a) => a.serverIds);
    v1 = await startV1Simulator({
      seed: 21,
      serverIds: servers('v1'),
      from: day(-5),
      to: day(0),
      profile: (d) => (d === 'complaints' ? 3 : d === 'failed' ? 40 : 300),
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 400,
      burst: 8,
    });
    v2 = await startV2Simulator({
      seed: 22,
      serverIds: servers('v2'),
      from: day(-5),
      to: day(0),
      profile: () => 400,
      apiKey: KEY_V2,
      limits: { timeScale: 100 },
    });
    sendsage = await startSendSageSimulator({
      seed: 23,
      from: day(-3),
      to: day(-1),
      username: 'stack',
      password: SENDSAGE_PASSWORD,
      campaignsPerDay: 2,
    });

    functions = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .flatMap(([logicalId, r]) => {
        const name = tagValue(r.Properties, FUNCTION_TAG) as FunctionName | undefined;
        if (!name) return []; // CDK's own helper functions (log retention, auto-delete) are not ours
        const roleId = (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        const variables = (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
        return [
          {
            logicalId,
            name,
            env: variables ?? {},
            timeoutMs: Number(r.Properties.Timeout ?? 3) * 1000,
            event: scheduledEvent(logicalId),
            writable: writablePatterns(roleId),
          },
        ];
      });

    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  }, 180_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await Promise.all([
      s3?.close(),
      ses?.close(),
      sns?.close(),
      sm?.close(),
      v1?.close(),
      v2?.close(),
      sendsage?.close(),
    ]);
  });

  it('the stack deploys one function per SocketLabs account, one for SendSage, the digest and the alerts, each with a handler', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(
      [
        ...config.socketlabs.map(() => 'collect-socketlabs'),
        ...(config.sendsage ? ['collect-sendsage'] : []),
        'digest',
        'alerts',
      ].sort(),
    );
    for (const f of functions) {
      // The runtime contract every function gets from the stack.
      expect(resolve(f.env.INBOXLAKE_LAKE)).toBe(`s3://${s3.bucket}`);
      expect(resolve(f.env.INBOXLAKE_FORMAT)).toBe(config.format);
      expect(f.env).toMatchObject({ INBOXLAKE_TMP: '/tmp', NODE_OPTIONS: '--enable-source-maps' });
      // Credentials never travel in the environment: only secret ARNs do.
      expect(Object.keys(f.env).filter((k) => /API_KEY|PASSWORD|USERNAME/.test(k))).toEqual([]);
      // No local-only override is set by the stack.
      expect(Object.keys(f.env).filter((k) => /_ENDPOINT$/.test(k))).toEqual([]);
    }
  });

  it.each([
    ['v2', 'main'],
    ['v1', 'legacy'],
  ] as const)(
    'collect-socketlabs (%s account "%s"): its scheduled event lands the days its re-read schedule reaches',
    async (generation, account) => {
      const a = config.socketlabs.find((x) => x.name === account && x.apiGeneration === generation);
      expect(a, `cdk.json's example has a ${generation} account named ${account}`).toBeDefined();
      const f = fn('collect-socketlabs', account);
      expect(resolve(f.env.SOCKETLABS_SECRET_ARN)).toBe(sm.arnOf(a!.secretName).slice(0, -7));
      const readsBefore = sm.reads.length;

      const { reports, report, changed } = await invokeLikeTheStack(f);
      expect(reports).toHaveLength(1);
      // On a fresh lake every window of the schedule's range is due: those days and today's closed hours.
      const from = scheduledRange(Date.now(), rereadAfterSchema.parse(a!.rereadAfter)).from;
      expect(report).toMatchObject({ from, to: day(0), more: false, windowsFailed: 0 });
      const until = Date.parse(String(report.until));
      expect(Number(report.rows)).toBeGreaterThan(0);
      expect(sm.reads.slice(readsBefore)).toEqual([resolve(f.env.SOCKETLABS_SECRET_ARN)]);

      // Everything the run wrote is inside the prefixes its role may write: the IAM policy fits the code.
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.filter((k) => !f.writable.some((p) => p.test(k)))).toEqual([]);

      const lake = await downloadLake(s3, '');
      if (generation === 'v1') {
        expect(await lakeRows(lake, 'queued')).toEqual(truthRows(v1, 'queued', a!.serverIds, from, day(0), until));
      } else {
        expect(await lakeMessages(lake)).toEqual(truthMessages(v2, a!.serverIds, from, day(0), until));
      }
      expect(emf()).toContainEqual(
        expect.objectContaining({ Source: 'socketlabs', Account: account, RowsLanded: report.rows }),
      );
    },
  );

  it.runIf(exampleDeploymentConfig().sendsage !== null)(
    'collect-sendsage: its scheduled event lands the recent tests',
    async () => {
      const f = fn('collect-sendsage');
      const { report, changed } = await invokeLikeTheStack(f);
      expect(report).toMatchObject({ more: false, itemsFailed: 0, itemsLeft: 0 });
      const campaigns = (report.items as Record<string, { collected: number }>).campaigns!.collected;
      expect(campaigns).toBeGreaterThan(0);
      expect(changed.filter((k) => !f.writable.some((p) => p.test(k)))).toEqual([]);

      const q = await openLakeQuery({ lakeDir: await downloadLake(s3, ''), tables: allTables });
      const n = (await q.run('select count(*) from sendsage_campaigns')).rows[0]![0];
      await q.close();
      expect(n).toBe(campaigns);
      expect(emf()).toContainEqual(
        expect.objectContaining({ Source: 'sendsage', Account: 'sendsage', RowsLanded: report.rows }),
      );
    },
  );

  // After the collectors above: the digest reads what they landed.
  it("digest: its scheduled event sends yesterday's digest of the landed data through SES from the configured sender", async () => {
    const f = fn('digest');
    const { report, changed } = await invokeLikeTheStack(f);
    expect(report).toMatchObject({ sent: true });
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((k) => !f.writable.some((p) => p.test(k)))).toEqual([]);

    const [mail, ...others] = await ses.stored();
    expect(others).toEqual([]);
    expect(mail!.subject).toBe(report.subject);
    expect(mail!.from).toContain(config.digest.from);
    expect(mail!.destination.to.join(',')).toContain(config.digest.to[0]);
    expect(mail!.attachments.some((a) => a.contentType.startsWith('text/csv'))).toBe(true);
    for (const id of config.socketlabs.flatMap((a) => a.serverIds)) expect(mail!.body.html).toContain(String(id));
    expect(emf()).toContainEqual(expect.objectContaining({ Source: 'digest', DigestSent: 1 }));

    // The schedule's retry of the same day sends nothing twice.
    const again = await invokeLikeTheStack(f);
    expect(again.report).toMatchObject({ sent: false });
    expect(await ses.stored()).toHaveLength(1);
  });

  // After the collectors above: the alerts evaluate what they landed, as the loops invoke them once caught up.
  it("alerts: the loop's event evaluates the landed data, writes only the alert state and publishes what it announces", async () => {
    const f = fn('alerts');
    const { report, changed } = await invokeLikeTheStack(f);
    expect(report).toMatchObject({ lifecycle: 'advanced', unreadableFiles: 0 });
    expect(changed).toEqual([alertStateKey()]);
    expect(changed.filter((k) => !f.writable.some((p) => p.test(k)))).toEqual([]);
    const announced = (report.opened as number) + (report.reminders as number) + (report.resolved as number);
    expect(report.published).toBe(announced);
    expect(sns.published).toHaveLength(announced);
    for (const p of sns.published) expect(p.TopicArn).toBe(resolve(f.env.INBOXLAKE_ALERT_TOPIC_ARN));
  });

  it('every metric line is Embedded Metric Format in the namespace the alarms watch, and no secret is logged', () => {
    const namespace = resolve(functions[0]!.env.INBOXLAKE_METRICS_NAMESPACE);
    expect(emf().length).toBeGreaterThan(0);
    for (const line of emf()) {
      expect(line._aws.CloudWatchMetrics).toEqual([
        expect.objectContaining({ Namespace: namespace, Metrics: [expect.objectContaining({ Unit: 'Count' })] }),
      ]);
    }
    for (const chunk of [...stdout, ...stderr]) {
      for (const secret of [KEY, KEY_V2, SENDSAGE_PASSWORD]) expect(chunk).not.toContain(secret);
    }
  });
});
