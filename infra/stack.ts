import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { loadNamedQueries, namedQueriesFor } from '../shared/lake/named-queries';
import { type Registry, tablesOf } from '../shared/sources';
import type { DeploymentConfig } from './config';
import { Alerts } from './constructs/alerts';
import { Collectors } from './constructs/collectors';
import { Digest } from './constructs/digest';
import { Lake } from './constructs/lake';
import { Monitoring } from './constructs/monitoring';
import { deployedTables } from './sources';

export interface InboxlakeStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** The sources (default: the registry); a test may add its own. */
  readonly registry?: Registry;
}

/** The whole deployment: lake, collectors, alerts, digest and monitoring, composed from one parsed config. */
export class InboxlakeStack extends Stack {
  readonly lake: Lake;
  readonly collectors: Collectors;
  readonly digest: Digest;
  readonly monitoring: Monitoring;
  readonly alerts: Alerts;

  constructor(scope: Construct, id: string, props: InboxlakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const tables = deployedTables(config, props.registry);

    this.monitoring = new Monitoring(this, 'Monitoring', { alarmEmail: config.alarmEmail });
    // Only the named queries whose tables this deployment catalogs: one naming a missing table would fail to plan.
    const namedQueries = namedQueriesFor(
      loadNamedQueries(),
      tables.map((t) => t.table.name),
      tablesOf(props.registry).map((t) => t.name),
    );
    this.lake = new Lake(this, 'Lake', { config, tables, namedQueries, registry: props.registry });
    this.alerts = new Alerts(this, 'Alerts', {
      config,
      lake: this.lake,
      monitoring: this.monitoring,
      registry: props.registry,
    });
    this.collectors = new Collectors(this, 'Collectors', {
      config,
      lake: this.lake,
      monitoring: this.monitoring,
      registry: props.registry,
      alerts: this.alerts.function.fn,
    });
    this.digest = new Digest(this, 'Digest', { config, lake: this.lake, monitoring: this.monitoring });

    new CfnOutput(this, 'LakeBucket', { value: this.lake.bucket.bucketName });
    new CfnOutput(this, 'GlueDatabase', { value: this.lake.databaseName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.lake.workGroupName });
    new CfnOutput(this, 'AlarmTopic', { value: this.monitoring.topic.topicArn });
    // Subscribe more (SMS, a chat bot, a ticketing system) with: aws sns subscribe --topic-arn … --protocol …
    new CfnOutput(this, 'AlertTopic', { value: this.alerts.topic.topicArn });
    for (const c of this.collectors.collectors) {
      // What an operator starts a backfill with: aws stepfunctions start-execution --state-machine-arn …
      new CfnOutput(this, `Backfill-${c.label}`, { value: c.stateMachine.stateMachineArn });
    }
  }
}
