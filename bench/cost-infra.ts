import { collectorsOf, type DeploymentConfig, exampleDeploymentConfig } from '../infra/config';
import { FUNCTION_TAG, METRICS_NAMESPACE } from '../infra/constructs/lambda-function';
import { DAY_MS } from '../shared/core/windows';
import { commandsOf } from '../shared/sources';
import { type Synthesized, synthesize } from '../test/infra/synth';

/**
 * What the deployed stack is made of, read from its synthesized template rather than copied: each function's memory
 * and environment, the schedules and what they start, the collection loop's states, the alarms and the metrics they
 * watch. The stack is the committed example config's, keeping only its SocketLabs v2 account (one account, two
 * servers) and SendSage: the sender the cost model prices.
 */

// biome-ignore lint/suspicious/noExplicitAny: template JSON is walked field by field.
type Json = any;

export interface DeployedFunctionInfo {
  readonly logicalId: string;
  /** `collect-socketlabs`, `collect-sendsage`, `digest`. */
  readonly name: string;
  readonly memoryMb: number;
  /** Plain-string environment variables (tokens such as ARNs left out). */
  readonly env: Readonly<Record<string, string>>;
  /** The schedules that start it (through a state machine or directly). */
  readonly schedules: readonly { readonly expression: string; readonly timeZone: string }[];
  /** The state machine between the schedule and the function, if any. */
  readonly stateMachine?: Json;
}

export interface StackFacts {
  readonly config: DeploymentConfig;
  readonly functions: readonly DeployedFunctionInfo[];
  readonly schedules: number;
  /** Metrics evaluated by the alarms (a metric-math alarm bills each metric it reads). */
  readonly alarmMetrics: number;
  /** Distinct custom metrics (namespace, name, dimensions) the alarms watch: the ones the handlers publish. */
  readonly customMetrics: number;
  readonly secrets: number;
  readonly kmsKeys: number;
  /** The lake bucket's lifecycle rules (prefix '' for bucket-wide ones). */
  readonly lakeRules: readonly LifecycleRule[];
  /** Days the lake's server access logs are kept, if it has any. */
  readonly accessLogDays: number | null;
  readonly logRetentionDays: number;
}

export interface LifecycleRule {
  readonly prefix: string;
  readonly noncurrentDays?: number;
  readonly expirationDays?: number;
}

const rulesOf = (bucket: Json): LifecycleRule[] =>
  ((bucket?.Properties?.LifecycleConfiguration?.Rules ?? []) as Json[])
    .filter((r) => r.Status === 'Enabled')
    .map((r) => ({
      prefix: r.Prefix ?? '',
      ...(r.NoncurrentVersionExpiration ? { noncurrentDays: r.NoncurrentVersionExpiration.NoncurrentDays } : {}),
      ...(r.ExpirationInDays ? { expirationDays: r.ExpirationInDays } : {}),
    }));

/** The example config with only its v2 SocketLabs accounts. */
export function costConfig(): DeploymentConfig {
  const c = exampleDeploymentConfig();
  return { ...c, socketlabs: c.socketlabs.filter((a) => a.apiGeneration === 'v2') } as DeploymentConfig;
}

const localClock = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The instants of the UTC day starting at `day` when a Scheduler cron fires in `timeZone`, for the shapes the stack
 * uses (every hour at a minute; every day at a time). Each minute of the day is tried against the local clock.
 */
export function fireTimes(expression: string, timeZone: string, day: number): number[] {
  const fields = /^cron\((.+)\)$/.exec(expression)?.[1]?.trim().split(/\s+/) ?? [];
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields;
  const any = (f: string | undefined) => f === '*' || f === '?';
  const everyDay = any(dayOfMonth) && month === '*' && any(dayOfWeek) && year === '*';
  if (fields.length !== 6 || !everyDay || !/^\d+$/.test(minute ?? '') || !/^(\*|\d+)$/.test(hour ?? '')) {
    throw new Error(`cannot place the runs of ${expression}; teach bench/cost-infra.ts its shape`);
  }
  const clock = localClock(timeZone);
  const out: number[] = [];
  for (let t = day; t < day + DAY_MS; t += 60_000) {
    const [h, m] = clock.format(t).split(':').map(Number) as [number, number];
    if (m === Number(minute) && (hour === '*' || h === Number(hour))) out.push(t);
  }
  return out;
}

/** A Fn::Join of strings and tokens as a string, each token as a placeholder (enough to parse a definition). */
function joined(value: Json): string {
  if (typeof value === 'string') return value;
  const parts = value?.['Fn::Join'];
  if (Array.isArray(parts))
    return (parts[1] as Json[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(parts[0]);
  throw new Error(`not a string or Fn::Join: ${JSON.stringify(value).slice(0, 80)}`);
}

const refersTo = (value: Json, logicalId: string) => JSON.stringify(value).includes(`"${logicalId}"`);

/** The instants a function is started on the UTC day `day`, in time order. */
export const runsOn = (f: DeployedFunctionInfo, day: number): number[] =>
  f.schedules.flatMap((sc) => fireTimes(sc.expression, sc.timeZone, day)).sort((a, b) => a - b);

/** Synthesizes the priced stack and reads its facts. */
export function readStack(config: DeploymentConfig = costConfig()): StackFacts {
  const s: Synthesized = synthesize(config);
  const resources = Object.entries(s.json.Resources) as [string, Json][];
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const machines = ofType('AWS::StepFunctions::StateMachine');
  const schedules = ofType('AWS::Scheduler::Schedule');
  const functions: DeployedFunctionInfo[] = [];
  for (const [id, r] of ofType('AWS::Lambda::Function')) {
    const name = (r.Properties.Tags as { Key: string; Value: string }[] | undefined)?.find(
      (t) => t.Key === FUNCTION_TAG,
    )?.Value;
    // CDK's own helper functions (custom resources) run at deploy time only.
    if (!name) continue;
    const variables = (r.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    // A collector is its loop's task; the alerts function is invoked by every loop once it is caught up, so it runs
    // as often as all the loops together and owns none of them.
    const invokers = machines.filter(([, m]) => refersTo(m.Properties.DefinitionString, id));
    const machine = typeof variables.INBOXLAKE_SOURCE === 'string' ? invokers[0] : undefined;
    const startedBy = machine ? [machine[0]] : invokers.length ? invokers.map(([mid]) => mid) : [id];
    const starters = schedules.filter(([, sc]) =>
      startedBy.some((target) => refersTo(sc.Properties.Target.Arn, target)),
    );
    functions.push({
      logicalId: id,
      name,
      memoryMb: Number(r.Properties.MemorySize),
      env: Object.fromEntries(Object.entries(variables).filter((e): e is [string, string] => typeof e[1] === 'string')),
      schedules: starters.map(([, sc]) => ({
        expression: sc.Properties.ScheduleExpression as string,
        timeZone: (sc.Properties.ScheduleExpressionTimezone as string | undefined) ?? 'UTC',
      })),
      ...(machine ? { stateMachine: JSON.parse(joined(machine[1].Properties.DefinitionString)) } : {}),
    });
  }
  let alarmMetrics = 0;
  const custom = new Set<string>();
  for (const [, a] of ofType('AWS::CloudWatch::Alarm')) {
    const p = a.Properties;
    const stats: Json[] = p.Metrics
      ? (p.Metrics as Json[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric)
      : [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }];
    alarmMetrics += stats.length;
    for (const m of stats) {
      if (m.Namespace === METRICS_NAMESPACE) custom.add(JSON.stringify([m.MetricName, m.Dimensions]));
    }
  }
  const buckets = ofType('AWS::S3::Bucket');
  const lake = buckets.find(([, b]) => b.Properties.VersioningConfiguration?.Status === 'Enabled');
  if (!lake) throw new Error('no versioned lake bucket in the template');
  const logsRef = lake[1].Properties.LoggingConfiguration?.DestinationBucketName?.Ref as string | undefined;
  const logsBucket = buckets.find(([id]) => id === logsRef)?.[1];
  const logExpiry = rulesOf(logsBucket).find((r) => r.expirationDays)?.expirationDays;
  const secrets = commandsOf().reduce((n, command) => n + collectorsOf(command, config).length, 0);
  return {
    config,
    functions,
    schedules: schedules.length,
    alarmMetrics,
    customMetrics: custom.size,
    secrets,
    // A customer-managed key only when the config names one (the secrets' default key has no monthly fee).
    kmsKeys: config.secretsKmsKeyArn ? 1 : 0,
    lakeRules: rulesOf(lake[1]),
    accessLogDays: logsBucket ? (logExpiry ?? null) : null,
    logRetentionDays: config.logRetentionDays,
  };
}

/**
 * State transitions of one execution of a collection loop whose invocations answer `reports` in turn: the
 * definition is walked as Step Functions runs it (Pass parameters with `$.` paths and States.MathAdd, Choice rules
 * with And/Or/Not, IsPresent, BooleanEquals, NumericLessThan), counting every state entered.
 */
export function transitionsOf(definition: Json, reports: readonly Record<string, unknown>[]): number {
  let input: Json = {};
  let name: string = definition.StartAt;
  let invocations = 0;
  let transitions = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const state = definition.States[name];
    transitions++;
    switch (state.Type) {
      case 'Pass':
        input = state.Parameters ? parameters(state.Parameters, input) : input;
        break;
      case 'Task': {
        // A task whose result is discarded (the loop's asynchronous invoke of the alerts function) is not the
        // collector's: it leaves the input as it is and answers none of `reports`.
        if (state.ResultPath === null) break;
        const report = reports[Math.min(invocations++, reports.length - 1)] ?? {};
        input = { ...input, [pathKey(state.ResultPath)]: report };
        break;
      }
      case 'Choice': {
        const rule = (state.Choices as Json[]).find((c) => matches(c, input));
        name = rule ? rule.Next : state.Default;
        continue;
      }
      case 'Wait':
        break;
      case 'Succeed':
      case 'Fail':
        return transitions;
      default:
        throw new Error(`state type ${state.Type} is not modelled`);
    }
    if (state.End) return transitions;
    name = state.Next;
  }
  throw new Error('the execution did not end within 10,000 states');
}

const pathKey = (path: string) => path.replace(/^\$\./, '');
const at = (input: Json, path: string): Json =>
  path === '$'
    ? input
    : pathKey(path)
        .split('.')
        .reduce((v, k) => (v === undefined ? v : v[k]), input);

function parameters(params: Record<string, Json>, input: Json): Json {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!key.endsWith('.$')) {
      out[key] = value;
      continue;
    }
    const add = /^States\.MathAdd\((\$[^,]*),\s*(-?\d+)\)$/.exec(value);
    out[key.slice(0, -2)] = add ? Number(at(input, add[1]!)) + Number(add[2]) : at(input, value);
  }
  return out;
}

function matches(rule: Json, input: Json): boolean {
  if (rule.And) return (rule.And as Json[]).every((r) => matches(r, input));
  if (rule.Or) return (rule.Or as Json[]).some((r) => matches(r, input));
  if (rule.Not) return !matches(rule.Not, input);
  const v = at(input, rule.Variable);
  if ('IsPresent' in rule) return (v !== undefined) === rule.IsPresent;
  if ('BooleanEquals' in rule) return v === rule.BooleanEquals;
  if ('NumericLessThan' in rule) return typeof v === 'number' && v < rule.NumericLessThan;
  throw new Error(`choice rule not modelled: ${JSON.stringify(rule).slice(0, 80)}`);
}
