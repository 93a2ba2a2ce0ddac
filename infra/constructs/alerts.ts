import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { digestTables } from '../../shared/digest/roles';
import { thresholdEnvironment } from '../../shared/digest/thresholds';
import { ALERTS_STATE_PREFIX, tableAreaPrefix } from '../../shared/lake/layout';
import { type Registry, sources } from '../../shared/sources';
import type { DeploymentConfig } from '../config';
import type { Lake } from './lake';
import { InboxlakeFunction, retentionDays } from './lambda-function';
import type { Monitoring } from './monitoring';

export interface AlertsProps {
  readonly config: DeploymentConfig;
  readonly lake: Lake;
  readonly monitoring: Monitoring;
  readonly registry?: Registry;
}

/**
 * The lake prefixes the alerts read: the `totals` and `bounces` rollups of the tables the digest reads (the same
 * roles; shared/alerts/reader.ts) and the rows of the SendSage campaign and per-provider tables (the placement
 * alerts; shared/alerts/placement.ts) — never the SocketLabs rows, which hold recipient addresses.
 */
export function alertReadPrefixes(registry: Registry = sources): string[] {
  const tables = digestTables(registry);
  const placement = tables.placement ? [tables.placement.campaigns, tables.placement.ispResults] : [];
  return [
    ...[...new Set([...tables.totals.map((t) => t.table), ...tables.bounces])].map((t) =>
      tableAreaPrefix('rollups', t),
    ),
    ...placement.map((t) => tableAreaPrefix('data', t.name)),
  ];
}

/**
 * The intraday alerts: a small function each collector's loop invokes once it has caught up (so alerts follow the
 * data within minutes, and cost nothing when no collection ran), the SNS topic it publishes every announcement to,
 * and the chat webhook it posts to, whose URL it reads from Secrets Manager.
 *
 * Why the loops and not an hourly schedule of its own: a schedule would have to guess when the collections are done
 * (they take longer on a busy hour), and either evaluate too early or add an hour of delay. A loop invoking it
 * asynchronously waits for nothing; several collectors finishing in the same hour evaluate the same instant, and
 * the lifecycle's conditional writes let only the first announce.
 */
export class Alerts extends Construct {
  readonly topic: sns.Topic;
  readonly function: InboxlakeFunction;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const { config, lake, monitoring } = props;
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'inboxlake alerts',
      // Encrypted at rest with the AWS-managed SNS key (no key of ours to pay for or to write a policy for: its
      // policy lets this account's principals use it through SNS), and only over TLS.
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    for (const address of config.alerts.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }

    this.function = new InboxlakeFunction(this, 'Alerts', {
      name: 'alerts',
      description: 'inboxlake: intraday alerts after each collection',
      memorySize: 512,
      timeout: Duration.minutes(2),
      logRetention: retentionDays(config.logRetentionDays),
      tracing: config.tracing,
      // One evaluation at a time: the loops' invokes are asynchronous, so a throttled one is retried by Lambda and
      // then finds the state the first one wrote.
      reservedConcurrency: 1,
    });
    this.function.usesLake(lake.bucket, config.format, {
      reads: alertReadPrefixes(props.registry),
      writes: [ALERTS_STATE_PREFIX],
    });
    this.function.env('INBOXLAKE_ALERT_TOPIC_ARN', this.topic.topicArn);
    this.function.fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    if (config.alerts.webhookSecretArn) {
      this.function.readsSecretValue(
        'INBOXLAKE_ALERT_WEBHOOK_SECRET_ARN',
        config.alerts.webhookSecretArn,
        config.secretsKmsKeyArn,
      );
    }
    if (config.alerts.webhookKind) this.function.env('INBOXLAKE_ALERT_WEBHOOK_KIND', config.alerts.webhookKind);
    if (Object.keys(config.alerts.thresholds).length) {
      this.function.env('INBOXLAKE_ALERT_THRESHOLDS', JSON.stringify(config.alerts.thresholds));
    }
    // The placement alerts judge a SendSage test by the digest's inbox thresholds (shared/app/alert-config.ts).
    for (const [name, value] of Object.entries(
      thresholdEnvironment({
        inboxWarn: config.digest.thresholds.inboxWarn,
        inboxCritical: config.digest.thresholds.inboxCritical,
      }),
    )) {
      this.function.env(name, value);
    }

    // A failed evaluation is tried once more (one that failed before writing the state announces then), then parked.
    this.function.fn.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(monitoring.deadLetterQueue),
    });
    // No throttles alarm: two loops finishing together throttle one invoke on purpose (reserved concurrency 1), and
    // Lambda retries an asynchronous invoke it throttled; failures still alarm through Errors and the DLQ.
    monitoring.watchFunction('alerts', this.function, null);
  }
}
