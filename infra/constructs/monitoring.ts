import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type InboxlakeFunction, METRICS_NAMESPACE } from './lambda-function';

export interface MonitoringProps {
  /** Subscribed to the alarm topic (SNS sends a confirmation mail first). */
  readonly alarmEmail?: string;
}

/**
 * Metrics the handlers publish as Embedded Metric Format log lines (no PutMetricData call, no IAM): CloudWatch
 * extracts them from the function's log group. The handlers print, per invocation, one JSON line on stdout:
 * collectors `RowsLanded` with dimensions Source and Account; the digest `DigestSent` with dimension Source=digest.
 */
export const emfMetrics = {
  rowsLanded: (source: string, account: string) =>
    new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'RowsLanded',
      dimensionsMap: { Source: source, Account: account },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.hours(1),
    }),
  digestSent: () =>
    new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'DigestSent',
      dimensionsMap: { Source: 'digest' },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.hours(1),
    }),
};

/**
 * Where failures go and who hears about them: the alarm topic, the dead-letter queue of the asynchronous paths,
 * and one `watch…()` method per kind of thing the stack runs, so each construct registers its own alarms.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  /** Failed asynchronous digest invocations and schedule deliveries that could not start their target. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'inboxlake alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Alarm notifications carry alarm names and states only; SSE would need a KMS key policy for CloudWatch.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // As long as SQS keeps anything: time for a human to read the failure and replay it.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue (Lambda on-failure destination and Scheduler DLQ).',
    });
    this.alarm('DeadLetters', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'A digest invocation or a scheduled start failed for good; its event waits in the DLQ.',
    });
  }

  /**
   * Errors and throttles of a function. Throttling is news only when it lasts `throttledQuarters` consecutive
   * quarter-hours: a collector is throttled on purpose when a scheduled run meets a backfill (reserved concurrency
   * 1) and its state machine retries, so only throttling that outlasts a whole 15-minute run deserves a page.
   * `null`: no throttles alarm, for a function whose throttling is by design and retried (see its caller).
   */
  watchFunction(label: string, f: InboxlakeFunction, throttledQuarters: number | null = 1): void {
    this.alarm(`${label}-Errors`, {
      metric: f.fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${label}: the function failed (see its log group).`,
    });
    if (throttledQuarters === null) return;
    this.alarm(`${label}-Throttles`, {
      metric: f.fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(15) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: throttledQuarters,
      datapointsToAlarm: throttledQuarters,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${label}: invocations throttled in each of ${throttledQuarters} consecutive quarter-hours.`,
    });
  }

  /** Executions that failed, timed out or were aborted (a collector loop that did not finish). */
  watchStateMachine(label: string, machine: sfn.StateMachine): void {
    const opts = { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) };
    this.alarm(`${label}-ExecutionsFailed`, {
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: machine.metricFailed(opts),
          timedOut: machine.metricTimedOut(opts),
          aborted: machine.metricAborted(opts),
        },
        label: 'Executions failed, timed out or aborted',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${label}: a collection execution did not succeed (see its execution history).`,
    });
  }

  /**
   * "No data landed for `label` in `hours` hours": the hourly sum of RowsLanded stayed below 1 for `hours`
   * consecutive hours. Missing data is breaching: a collector that never runs (schedule disabled, function
   * broken before it reports) publishes nothing, and that is the silence this alarm exists for.
   */
  watchDataLanding(label: string, metric: cloudwatch.Metric, hours: number): void {
    this.alarm(`${label}-NoData`, {
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `${label}: no rows landed in the lake for ${hours} hours.`,
    });
  }

  /** "Digest not sent": no DigestSent in the last 26 hours (a day and a margin for a late or retried run). */
  watchDigest(metric: cloudwatch.Metric): void {
    this.alarm('Digest-NotSent', {
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 26,
      datapointsToAlarm: 26,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: 'No daily digest was sent in the last 26 hours.',
    });
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `Alarm-${id}`, props);
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    return alarm;
  }
}
