import * as z from 'zod';

/**
 * CloudWatch metrics as Embedded Metric Format lines on stdout: CloudWatch Logs extracts them from the function's
 * log group, so publishing needs no API call and no IAM. Names and dimensions are the ones the stack's alarms watch
 * (infra/constructs/monitoring.ts, `emfMetrics`): `RowsLanded` {Source, Account} and `DigestSent` {Source}.
 * Published only where the stack sets INBOXLAKE_METRICS_NAMESPACE; the CLI and local runs print nothing.
 *
 * Lambda-only (a door concern, like the handlers' reports), hence beside them rather than in shared/.
 */
const metricsEnv = z.object({
  INBOXLAKE_METRICS_NAMESPACE: z.string().trim().min(1).optional(),
  /** The source account the function collects for (a SocketLabs account's slug, or `sendsage`). */
  INBOXLAKE_ACCOUNT: z.string().trim().min(1).optional(),
});

export type MetricName = 'RowsLanded' | 'DigestSent';

export interface Metrics {
  /** The account this function collects for, as the stack names it (`default` outside the stack). */
  readonly account: string;
  /** One EMF line for one count. */
  count(name: MetricName, value: number, dimensions: Readonly<Record<string, string>>): void;
}

/** The EMF document for one count (pure: the caller chooses the time). */
export function emfLine(
  namespace: string,
  name: MetricName,
  value: number,
  dimensions: Readonly<Record<string, string>>,
  timestamp: number,
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: 'Count' }] },
      ],
    },
    ...dimensions,
    [name]: value,
  });
}

/** The function's metrics publisher, from its environment; a no-op without a namespace. */
export function createMetrics(
  env: Record<string, string | undefined>,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Metrics {
  const e = metricsEnv.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  const namespace = e.INBOXLAKE_METRICS_NAMESPACE;
  return {
    account: e.INBOXLAKE_ACCOUNT ?? 'default',
    count(name, value, dimensions) {
      if (namespace) write(emfLine(namespace, name, value, dimensions, Date.now()));
    },
  };
}
