/**
 * The monthly bill as arithmetic: published unit prices × quantities measured by bench/cost.ts. Pure, so the
 * arithmetic (prices × quantities, Athena's 10 MB minimum, rounding) is unit-tested apart from the measurements.
 */

/** us-east-1 list prices, without free tiers (a bill that fits only inside a free tier is not the claim here). */
export const PRICES_AS_OF = '2026-12';

export const prices = {
  /** Lambda on Arm (the stack deploys ARM64), first tier, per GB-second of duration. */
  lambdaArmGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** Step Functions Standard, per 1,000 state transitions. */
  stepFunctionsPer1kTransitions: 0.025,
  /** EventBridge Scheduler, per million scheduled invocations. */
  schedulerPerMillion: 1.0,
  /** S3 Standard: PUT, COPY, POST, LIST per 1,000 requests. */
  s3PutPer1k: 0.005,
  /** S3 Standard: GET, HEAD and all other requests per 1,000 (DELETE is free). */
  s3GetPer1k: 0.0004,
  /** S3 Standard storage, first 50 TB, per GB-month. */
  s3StorageGbMonth: 0.023,
  /** Athena SQL, per TB scanned, at least 10 MB per query. */
  athenaPerTb: 5.0,
  /** CloudWatch standard-resolution alarm, per metric the alarm evaluates per month. */
  alarmMetricMonth: 0.1,
  /** CloudWatch custom metric (the EMF metrics the handlers publish), per metric-month, first 10,000. */
  customMetricMonth: 0.3,
  /** CloudWatch Logs ingestion (standard class, and vended logs' first tier), per GB. */
  logsIngestGb: 0.5,
  /** CloudWatch Logs storage (archived, compressed), per GB-month. */
  logsStorageGbMonth: 0.03,
  secretMonth: 0.4,
  secretsPer10kCalls: 0.05,
  /** SES outbound, per 1,000 messages. */
  sesPer1kMails: 0.1,
  /** SNS e-mail notifications (the alarm topic's subscription), per 100,000. */
  snsEmailPer100k: 2.0,
  /** KMS customer-managed key per month (used only when the config names one). */
  kmsKeyMonth: 1.0,
} as const;

export type Prices = { readonly [K in keyof typeof prices]: number };

/** Athena bills at least this much per query. */
export const ATHENA_MIN_BYTES = 10 * 1024 * 1024;
const TB = 1024 ** 4;
const GB = 1024 ** 3;

/** Days in the billed month (AWS bills a month of usage; 30 keeps per-day figures easy to check). */
export const DAYS_PER_MONTH = 30;

/** Bytes Athena bills for one query that scans `scanned` bytes. */
export function athenaBilledBytes(scanned: number): number {
  return Math.max(ATHENA_MIN_BYTES, Math.ceil(scanned));
}

/** Everything the bill is computed from, per day unless named otherwise. All measured by bench/cost.ts. */
export interface CostInputs {
  /** Per deployed function: invocations and billed seconds per day, and its configured memory (from the stack). */
  readonly functions: readonly {
    readonly name: string;
    readonly memoryMb: number;
    readonly invocationsPerDay: number;
    readonly secondsPerDay: number;
  }[];
  readonly stateTransitionsPerDay: number;
  readonly scheduledInvocationsPerDay: number;
  readonly s3: {
    readonly putPerDay: number;
    readonly getPerDay: number;
    /** Bytes held on average over a month: current objects, noncurrent versions, access logs. */
    readonly storedBytes: number;
  };
  /** Bytes each named query would scan, and how often each runs per day. */
  readonly athena: { readonly queries: readonly { readonly name: string; readonly scannedBytes: number }[] };
  readonly athenaRunsPerQueryPerDay: number;
  readonly alarmMetrics: number;
  readonly customMetrics: number;
  readonly logBytesPerDay: number;
  readonly logRetentionDays: number;
  readonly secrets: number;
  readonly secretCallsPerDay: number;
  readonly mailsPerDay: number;
  /** Alarm e-mails through SNS: alarm state changes, none in a healthy month. */
  readonly alarmNotificationsPerDay: number;
  readonly kmsKeys: number;
}

export interface CostLine {
  readonly item: string;
  /** In `unit`s, per month. */
  readonly quantity: number;
  readonly unit: string;
  /** Price of `per` units. */
  readonly unitPrice: number;
  readonly per: number;
  readonly dollars: number;
}

const line = (item: string, quantity: number, unit: string, unitPrice: number, per = 1): CostLine => ({
  item,
  quantity,
  unit,
  unitPrice,
  per,
  dollars: (quantity / per) * unitPrice,
});

/** The bill's lines for a month of `inputs` at `p`. */
export function costLines(inputs: CostInputs, p: Prices = prices): CostLine[] {
  const m = DAYS_PER_MONTH;
  const lines: CostLine[] = [];
  for (const f of inputs.functions) {
    const gbSeconds = (f.secondsPerDay * m * f.memoryMb) / 1024;
    lines.push(line(`Lambda ${f.name} duration (${f.memoryMb} MB)`, gbSeconds, 'GB-s', p.lambdaArmGbSecond));
  }
  const requests = inputs.functions.reduce((n, f) => n + f.invocationsPerDay, 0) * m;
  lines.push(line('Lambda requests', requests, 'requests', p.lambdaPerMillionRequests, 1e6));
  lines.push(
    line(
      'Step Functions state transitions',
      inputs.stateTransitionsPerDay * m,
      'transitions',
      p.stepFunctionsPer1kTransitions,
      1e3,
    ),
  );
  lines.push(
    line(
      'EventBridge Scheduler invocations',
      inputs.scheduledInvocationsPerDay * m,
      'invocations',
      p.schedulerPerMillion,
      1e6,
    ),
  );
  lines.push(line('S3 PUT/COPY/POST/LIST', inputs.s3.putPerDay * m, 'requests', p.s3PutPer1k, 1e3));
  lines.push(line('S3 GET/HEAD', inputs.s3.getPerDay * m, 'requests', p.s3GetPer1k, 1e3));
  lines.push(line('S3 storage', inputs.s3.storedBytes / GB, 'GB-month', p.s3StorageGbMonth));
  const billed = inputs.athena.queries.reduce((n, q) => n + athenaBilledBytes(q.scannedBytes), 0);
  lines.push(
    line(
      `Athena named queries (${inputs.athena.queries.length} × ${inputs.athenaRunsPerQueryPerDay}/day)`,
      (billed * inputs.athenaRunsPerQueryPerDay * m) / TB,
      'TB billed',
      p.athenaPerTb,
    ),
  );
  lines.push(line('CloudWatch alarms', inputs.alarmMetrics, 'alarm metric', p.alarmMetricMonth));
  lines.push(line('CloudWatch custom metrics (EMF)', inputs.customMetrics, 'metric', p.customMetricMonth));
  lines.push(line('CloudWatch Logs ingestion', (inputs.logBytesPerDay * m) / GB, 'GB', p.logsIngestGb));
  // Held logs grow to retention × daily bytes; stored compressed, so this (uncompressed) is an upper bound.
  const heldLogDays = Math.min(inputs.logRetentionDays, m);
  lines.push(
    line('CloudWatch Logs storage', (inputs.logBytesPerDay * heldLogDays) / GB, 'GB-month', p.logsStorageGbMonth),
  );
  lines.push(line('Secrets Manager secrets', inputs.secrets, 'secret-month', p.secretMonth));
  lines.push(line('Secrets Manager API calls', inputs.secretCallsPerDay * m, 'calls', p.secretsPer10kCalls, 1e4));
  lines.push(line('SES digest mails', inputs.mailsPerDay * m, 'mails', p.sesPer1kMails, 1e3));
  lines.push(line('SNS alarm e-mails', inputs.alarmNotificationsPerDay * m, 'notifications', p.snsEmailPer100k, 1e5));
  lines.push(line('KMS customer-managed keys', inputs.kmsKeys, 'key-month', p.kmsKeyMonth));
  return lines;
}

/** Dollars to the cent, rounding half up (a sub-cent line shows as "<0.01" rather than a misleading 0.00). */
export function dollars(amount: number): string {
  if (amount > 0 && amount < 0.005) return '<0.01';
  return (Math.round(amount * 100 + Number.EPSILON) / 100).toFixed(2);
}

/** A quantity with at most 4 significant decimals, grouped by thousands. */
export function quantity(n: number): string {
  if (n === 0) return '0';
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 1 ? 2 : 4;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const perLabel: Readonly<Record<number, string>> = { 1: '', 1e3: '1k ', 1e4: '10k ', 1e5: '100k ', 1e6: '1M ' };

/** A unit price as published, without float noise: $0.0000133334 / GB-s, $0.025 / 1k transitions, $0.40 / secret-month. */
export function unitPrice(l: Pick<CostLine, 'unitPrice' | 'per' | 'unit'>): string {
  const p = l.unitPrice;
  const text = Number.isInteger(Math.round(p * 1e6) / 1e4) ? p.toFixed(2) : String(Number(p.toPrecision(6)));
  return `$${text} / ${perLabel[l.per] ?? `${l.per} `}${l.unit}`;
}

export const totalOf = (lines: readonly CostLine[]): number => lines.reduce((n, l) => n + l.dollars, 0);

/** The bill as a Markdown table, with the total against the target. */
export function costTable(lines: readonly CostLine[], target: number): string {
  const rows = lines.map(
    (l) => `| ${l.item} | ${quantity(l.quantity)} ${l.unit} | ${unitPrice(l)} | ${dollars(l.dollars)} |`,
  );
  const total = totalOf(lines);
  const verdict = total <= target ? 'within' : `over by $${dollars(total - target)}`;
  return [
    '| item | quantity / month | unit price | $ / month |',
    '|---|---:|---:|---:|',
    ...rows,
    `| **total** (target ≤ $${target.toFixed(2)}: ${verdict}) | | | **${dollars(total)}** |`,
  ].join('\n');
}

export const COST_BEGIN = '<!-- cost:begin -->';
export const COST_END = '<!-- cost:end -->';

/** `text` with what lies between the cost markers replaced by `body`; throws when the markers are missing. */
export function replaceCostSection(text: string, body: string): string {
  const begin = text.indexOf(COST_BEGIN);
  const end = text.indexOf(COST_END);
  if (begin < 0 || end < begin) throw new Error(`the README has no ${COST_BEGIN} … ${COST_END} section`);
  return `${text.slice(0, begin + COST_BEGIN.length)}\n${body.trim()}\n${text.slice(end)}`;
}
