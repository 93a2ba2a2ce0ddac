import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { digestReadPrefixes } from '../../shared/digest/metrics';
import { digestTables } from '../../shared/digest/roles';
import { thresholdEnvironment } from '../../shared/digest/thresholds';
import { DIGEST_STATE_PREFIX } from '../../shared/lake/layout';
import { sources } from '../../shared/sources';
import type { DeploymentConfig } from '../config';
import { dailyAt, describeSchedule } from '../schedules';
import type { Lake } from './lake';
import { InboxlakeFunction, retentionDays } from './lambda-function';
import { emfMetrics, type Monitoring } from './monitoring';

export interface DigestProps {
  readonly config: DeploymentConfig;
  readonly lake: Lake;
  readonly monitoring: Monitoring;
}

/** The digest's environment: zone, sender, recipients and the thresholds the config sets (others: defaults). */
export function digestEnvironment(config: DeploymentConfig): Record<string, string> {
  return {
    INBOXLAKE_TIMEZONE: config.timeZone,
    INBOXLAKE_DIGEST_FROM: config.digest.from,
    INBOXLAKE_DIGEST_TO: config.digest.to.join(','),
    ...thresholdEnvironment(config.digest.thresholds),
  };
}

/**
 * The daily digest: a function invoked by a schedule at the configured local time, reading the lake (rollups and
 * a few small tables), sending through SES from the configured identity only, and marking the date as sent.
 */
export class Digest extends Construct {
  readonly function: InboxlakeFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: DigestProps) {
    super(scope, id);
    const { config, lake, monitoring } = props;
    this.function = new InboxlakeFunction(this, 'Digest', {
      name: 'digest',
      description: 'inboxlake: daily digest e-mail',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      logRetention: retentionDays(config.logRetentionDays),
      tracing: config.tracing,
      // One run at a time: an invoke beside the scheduled one is throttled (Lambda retries an asynchronous one
      // later, when it finds the day sent); the per-date claim in shared/digest/send.ts guards every other door.
      reservedConcurrency: 1,
    });
    for (const [name, value] of Object.entries(digestEnvironment(config))) this.function.env(name, value);
    this.function
      .usesLake(lake.bucket, config.format, {
        // The SocketLabs rollups (counts and the day's hard bounces) and the small SendSage tables; not the
        // SocketLabs rows, which hold every recipient address. Writes: the per-day sent markers.
        reads: digestReadPrefixes(digestTables(sources)),
        writes: [DIGEST_STATE_PREFIX],
      })
      .sendsEmail(this.identityArns(config), config.digest.from);

    // Scheduler invokes asynchronously: Lambda retries a failed digest twice, then parks the event in the DLQ
    // (sending is idempotent per date, so a retry after a send that did go out sends nothing twice).
    this.function.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(monitoring.deadLetterQueue),
    });

    // The schedule's own role (rather than the stack-wide one the target would create), so its grant is scoped here.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      // Only the scheduler acting for this account's default schedule group (where this schedule lives): Scheduler
      // gives the group's ARN as aws:SourceArn, as in the roles CDK makes for schedule targets.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Stack.of(this).account,
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(`${this.function.fn.functionArn}:*`))}]`,
      reason: "Invoking the digest function's own versions and aliases (`<function arn>:*`), as the target grants.",
    });
    const expression = dailyAt(config.digest.localTime);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      // e.g. cron(30 7 * * ? *) in Europe/Berlin: "every day at 07:30 Europe/Berlin", after the morning's runs.
      description: `digest: ${describeSchedule(expression, config.timeZone)}`,
      schedule: scheduler.ScheduleExpression.expression(expression, TimeZone.of(config.timeZone)),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(this.function.fn, {
        // The digest of yesterday in the configured zone; an operator may invoke with {date, force}.
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: monitoring.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        role: scheduleRole,
      }),
    });

    monitoring.watchFunction('digest', this.function);
    monitoring.watchDigest(emfMetrics.digestSent());
  }

  /** The SES identity ARN(s) the digest may send through (recipients' too while in the SES sandbox). */
  private identityArns(config: DeploymentConfig): string[] {
    const stack = Stack.of(this);
    const arn = (identity: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    return [config.digest.sesIdentity, ...(config.digest.sesSandbox ? config.digest.to : [])].map(arn);
  }
}
