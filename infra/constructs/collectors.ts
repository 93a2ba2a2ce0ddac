import { Duration, RemovalPolicy, Size, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { commandsOf, type Registry } from '../../shared/sources';
import type { FunctionName } from '../bundling';
import { collectorsOf, type DeploymentConfig } from '../config';
import { describeSchedule } from '../schedules';
import { collectorWritePrefixes, type SourceName } from '../sources';
import type { Lake } from './lake';
import { COLLECTOR_TIMEOUT, InboxlakeFunction, retentionDays } from './lambda-function';
import { emfMetrics, type Monitoring } from './monitoring';

/**
 * How many invocations one execution may chain before it gives up: 200 × (≤ 15 min + 1 min pause) ≈ 2 days, far
 * beyond the longest backfill (90 days of SocketLabs history), yet a bound, so a collector that always answers
 * `more` cannot loop forever. The execution then fails, which the ExecutionsFailed alarm reports.
 */
export const MAX_ROUNDS = 200;

/** Pause between rounds: SocketLabs v2 limits are per minute, and a new container starts with a fresh budget. */
export const ROUND_PAUSE = Duration.minutes(1);

/**
 * Pause before trying again when the collector answers `busy` (another run — the CLI, a backfill — holds its lease):
 * that run's lease is renewed while it works and expires two minutes after it stops, however it stops.
 */
export const BUSY_PAUSE = Duration.minutes(2);

export interface CollectorsProps {
  readonly config: DeploymentConfig;
  readonly lake: Lake;
  readonly monitoring: Monitoring;
  /** The sources to deploy collectors for (default: the registry). */
  readonly registry?: Registry;
  /** Invoked (asynchronously) by each loop once it has caught up: the intraday alerts (constructs/alerts.ts). */
  readonly alerts?: lambda.IFunction;
}

/**
 * One collector per account each source's part of the config names (a SocketLabs API key, SendSage), each with its
 * loop and schedule; what each one is comes from the source's descriptor.
 */
export class Collectors extends Construct {
  readonly collectors: Collector[] = [];

  constructor(scope: Construct, id: string, props: CollectorsProps) {
    super(scope, id);
    const { config, monitoring } = props;
    for (const command of commandsOf(props.registry)) {
      for (const deployed of collectorsOf(command, config)) {
        const c = new Collector(this, deployed.id, {
          ...props,
          name: `collect-${command.name}`,
          label: deployed.label,
          account: deployed.account,
          source: deployed.source,
          description: deployed.description,
          schedule: deployed.schedule,
          secret: { envName: command.secret.arnVariable, name: deployed.secretName },
          environment: { INBOXLAKE_SOURCE: command.name, ...deployed.environment },
          memorySize: deployed.memorySize,
          ephemeralStorage:
            deployed.ephemeralStorageMiB === undefined ? undefined : Size.mebibytes(deployed.ephemeralStorageMiB),
        });
        monitoring.watchDataLanding(
          c.label,
          emfMetrics.rowsLanded(command.name, deployed.account),
          config.noDataHours[command.name] ?? command.deploy.noDataHours,
        );
        this.collectors.push(c);
      }
    }
  }
}

interface CollectorProps extends CollectorsProps {
  readonly name: FunctionName;
  /** Names the alarms: `socketlabs-main`, `sendsage`. */
  readonly label: string;
  readonly account: string;
  readonly source: SourceName;
  readonly description: string;
  readonly schedule: string;
  readonly secret: { readonly envName: string; readonly name: string };
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly ephemeralStorage?: Size;
}

/**
 * A collector: the function, the state machine that re-invokes it until it has caught up, and the schedule that
 * starts the state machine.
 *
 * Why Step Functions for long backfills: a run stops before the Lambda deadline with its checkpoints saved and
 * answers `more: true`; something must invoke it again without a human. A function invoking itself is a recursive
 * loop that Lambda's loop detection may cut off after a few rounds, and its progress is invisible; a follow-up
 * schedule is state to create and clean up. A Standard state machine loops explicitly (Invoke → more? → wait →
 * Invoke), bounds the number of rounds, retries throttled or failed invokes with backoff, and shows every round with
 * its report in the execution history. An operator backfill is just another execution with `{from, to}`.
 */
export class Collector extends Construct {
  readonly label: string;
  readonly function: InboxlakeFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: CollectorProps) {
    super(scope, id);
    const { config, lake, monitoring } = props;
    this.label = props.label;

    this.function = new InboxlakeFunction(this, 'Collector', {
      name: props.name,
      account: props.account,
      description: props.description,
      memorySize: props.memorySize,
      timeout: COLLECTOR_TIMEOUT,
      ephemeralStorage: props.ephemeralStorage,
      logRetention: retentionDays(config.logRetentionDays),
      tracing: config.tracing,
      // Rate limits are per API key and the rate budget lives in one process: one run per key at a time, so two
      // runs (the hourly one and a backfill) never spend one budget unknowingly. A second concurrent invoke is
      // throttled, and the state machine retries it once the first run ends.
      reservedConcurrency: 1,
    });
    for (const [name, value] of Object.entries(props.environment)) this.function.env(name, value);
    this.function.env('INBOXLAKE_DT_PROJECTION_START', lake.dtProjectionStart);
    // Referenced by name: the operator creates the secret and sets its value; no credential is in code or context.
    const secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', props.secret.name);
    this.function
      .readsSecret(props.secret.envName, secret, config.secretsKmsKeyArn)
      .usesLake(lake.bucket, config.format, { writes: collectorWritePrefixes(props.source, props.registry) });

    this.stateMachine = this.collectionLoop(config, props.alerts);
    monitoring.watchFunction(props.label, this.function, 4);
    monitoring.watchStateMachine(props.label, this.stateMachine);

    const timeZone = TimeZone.of(config.timeZone);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      // In words, e.g. "every hour at minute 05": the default SocketLabs schedule, cron(5 * * * ? *).
      description: `${props.label}: ${describeSchedule(props.schedule, config.timeZone)}`,
      schedule: scheduler.ScheduleExpression.expression(props.schedule, timeZone),
      // Off: the run should start when the schedule says, not somewhere in a window.
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        // A scheduled run has no range: the collector reads what its re-read schedule has due.
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: monitoring.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /**
   * Invoke → round count → more (or busy)? → pause → Invoke …; when caught up, start the alerts' evaluation (if any)
   * and succeed; fail after MAX_ROUNDS.
   */
  private collectionLoop(config: DeploymentConfig, alerts: lambda.IFunction | undefined): sfn.StateMachine {
    const start = new sfn.Pass(this, 'Start', {
      comment: 'Keeps the input event (a schedule sends {}, an operator {from, to}) for every round.',
      parameters: { 'event.$': '$', round: 0 },
    });
    const collect = new tasks.LambdaInvoke(this, 'Collect', {
      lambdaFunction: this.function.fn,
      // The function receives the event alone; its answer (the report) is the task's whole result.
      inputPath: '$.event',
      payloadResponseOnly: true,
      // The report goes beside the event, so the next round sends the same event again.
      resultPath: '$.report',
      retryOnServiceExceptions: false,
    });
    // Reserved concurrency 1: another run of this key is in progress; it ends within 15 minutes.
    collect.addRetry({
      errors: ['Lambda.TooManyRequestsException'],
      interval: Duration.seconds(30),
      backoffRate: 2,
      maxDelay: Duration.minutes(5),
      maxAttempts: 15,
      jitterStrategy: sfn.JitterType.FULL,
    });
    collect.addRetry({
      errors: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const countRound = new sfn.Pass(this, 'CountRound', {
      parameters: { 'event.$': '$.event', 'report.$': '$.report', 'round.$': 'States.MathAdd($.round, 1)' },
    });
    const pause = new sfn.Wait(this, 'Pause', { time: sfn.WaitTime.duration(ROUND_PAUSE) });
    const more = sfn.Condition.and(
      sfn.Condition.isPresent('$.report.more'),
      sfn.Condition.booleanEquals('$.report.more', true),
    );
    // `busy`: another run holds the lease, so this round did nothing; try again later, which is not a failure.
    const busy = sfn.Condition.and(
      sfn.Condition.isPresent('$.report.busy'),
      sfn.Condition.booleanEquals('$.report.busy', true),
    );
    const busyPause = new sfn.Wait(this, 'BusyPause', { time: sfn.WaitTime.duration(BUSY_PAUSE) });
    const caughtUp = new sfn.Succeed(this, 'CaughtUp');
    const moreToDo = new sfn.Choice(this, 'MoreToDo')
      .when(sfn.Condition.and(more, sfn.Condition.numberLessThan('$.round', MAX_ROUNDS)), pause.next(collect))
      .when(sfn.Condition.and(busy, sfn.Condition.numberLessThan('$.round', MAX_ROUNDS)), busyPause.next(collect))
      .when(
        sfn.Condition.or(more, busy),
        new sfn.Fail(this, 'RoundLimit', { error: 'RoundLimitReached', cause: `more after ${MAX_ROUNDS} rounds` }),
      )
      .otherwise(alerts ? this.evaluateAlerts(alerts).next(caughtUp) : caughtUp);

    const logGroup = new logs.LogGroup(this, 'LoopLogs', {
      // Under /aws/vendedlogs/ so that log delivery does not add every state machine to the account's (size-limited)
      // CloudWatch Logs resource policy, as AWS recommends for Step Functions.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}/${this.label}`,
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, 'Loop', {
      comment: `Collects until caught up (${this.label}); start with {} or {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}.`,
      definitionBody: sfn.DefinitionBody.fromChainable(start.next(collect).next(countRound).next(moreToDo)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.days(3),
      tracingEnabled: config.tracing,
      // Execution data stays out of the logs: the history already shows each round's report.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(machine).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(`${this.function.fn.functionArn}:*`))}]`,
        reason: "Invoking this collector's own versions and aliases (`<function arn>:*`), as LambdaInvoke grants.",
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery (logs:CreateLogDelivery etc.) and X-Ray actions have no resource-level permissions.',
      },
    );
    if (alerts) {
      Validations.of(machine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(`${alerts.functionArn}:*`))}]`,
        reason: "Invoking the alerts function's own versions and aliases (`<function arn>:*`), as LambdaInvoke grants.",
      });
    }
    if (!config.tracing) {
      Validations.of(machine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason: 'X-Ray tracing is a config switch (tracing: true), off by default; logs and alarms cover the loop.',
      });
    }
    return machine;
  }

  /**
   * Starts the alerts' evaluation without waiting for it (an Event invoke: Lambda queues it and retries it), so a
   * slow or failing evaluation never holds up or fails the collection; its own alarms and DLQ report it.
   */
  private evaluateAlerts(alerts: lambda.IFunction): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, 'EvaluateAlerts', {
      lambdaFunction: alerts,
      invocationType: tasks.LambdaInvocationType.EVENT,
      payload: sfn.TaskInput.fromObject({ collector: this.label }),
      resultPath: sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: false,
    });
    task.addRetry({
      errors: [
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  }
}
