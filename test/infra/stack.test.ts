import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../../infra/config';
import { BUSY_PAUSE, MAX_ROUNDS } from '../../infra/constructs/collectors';
import { FUNCTION_TAG } from '../../infra/constructs/lambda-function';
import { exampleStack, type Json, resourcesOf, type Synthesized, synthesize, tagValue } from './synth';

let s: Synthesized;
beforeAll(() => {
  s = exampleStack();
});

/** A state machine's definition as JSON (function ARNs become `<LogicalId>`). */
function definitionOf(props: Record<string, unknown>) {
  const parts = (props.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const ref = p as { 'Fn::GetAtt'?: string[]; Ref?: string };
      return `<${ref['Fn::GetAtt']?.[0] ?? ref.Ref}>`;
    })
    .join('');
  return JSON.parse(text) as { StartAt: string; States: Record<string, Record<string, Json>> };
}

describe('schedules', () => {
  it('start each collector loop on its configured expression, in the configured time zone, without a window', () => {
    const schedules = resourcesOf(s, 'AWS::Scheduler::Schedule').map(([, p]) => p);
    const expected = [
      ...s.config.socketlabs.map((a) => [a.schedule, `socketlabs-${a.name}`]),
      [s.config.sendsage!.schedule, 'sendsage'],
      ['cron(30 7 * * ? *)', 'digest'],
    ];
    expect(schedules.map((p) => [p.ScheduleExpression, String(p.Description).split(':')[0]])).toEqual(expected);
    for (const p of schedules) {
      expect(p.ScheduleExpressionTimezone).toBe('Europe/Berlin');
      expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(p.State).toBe('ENABLED');
    }
  });

  it('say what they mean in words', () => {
    const descriptions = resourcesOf(s, 'AWS::Scheduler::Schedule').map(([, p]) => p.Description);
    expect(descriptions).toEqual([
      'socketlabs-main: every hour at minute 05',
      'socketlabs-legacy: every hour at minute 35',
      'sendsage: every hour at minute 20',
      'digest: every day at 07:30 Europe/Berlin',
    ]);
  });

  it('target the state machines with an empty event (a scheduled run), retries and the DLQ', () => {
    const machines = resourcesOf(s, 'AWS::StepFunctions::StateMachine').map(([id]) => id);
    const collectorTargets = resourcesOf(s, 'AWS::Scheduler::Schedule')
      .map(([, p]) => p.Target as Record<string, Json>)
      .filter((t) => t.Arn.Ref);
    expect(collectorTargets.map((t) => t.Arn.Ref)).toEqual(machines);
    for (const t of collectorTargets) {
      expect(t).toMatchObject({
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetters/), 'Arn'] } },
      });
    }
  });

  it('invoke the digest function directly, which retries twice and then parks the event in the DLQ', () => {
    const digestId = resourcesOf(s, 'AWS::Lambda::Function').find(
      ([, p]) => tagValue(p, FUNCTION_TAG) === 'digest',
    )![0];
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 7 * * ? *)',
      Target: { Arn: { 'Fn::GetAtt': [digestId, 'Arn'] }, Input: '{}' },
    });
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: digestId },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } },
      },
    });
  });
});

describe('functions', () => {
  it('run Node 22 on ARM64, with source maps, JSON logs and their own log group with the configured retention', () => {
    const fns = resourcesOf(s, 'AWS::Lambda::Function');
    expect(fns).toHaveLength(5);
    for (const [, p] of fns) {
      expect(p).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        Environment: {
          Variables: { NODE_OPTIONS: '--enable-source-maps', INBOXLAKE_TMP: '/tmp', INBOXLAKE_FORMAT: 'parquet' },
        },
      });
    }
    const groups = resourcesOf(s, 'AWS::Logs::LogGroup').map(([, p]) => p.RetentionInDays);
    expect(new Set(groups)).toEqual(new Set([s.config.logRetentionDays]));
  });

  it('give every function a reserved concurrency of 1: one run per API key, one digest or alerts run at a time', () => {
    for (const [, p] of resourcesOf(s, 'AWS::Lambda::Function')) {
      const name = tagValue(p, FUNCTION_TAG);
      expect(p.ReservedConcurrentExecutions).toBe(1);
      expect(p.Timeout).toBe(name === 'digest' ? 300 : name === 'alerts' ? 120 : 900);
    }
  });
});

describe('the collection loop (Step Functions)', () => {
  it.each(['main', 'legacy', 'sendsage'])('%s: invoke → count → more? → pause → invoke, bounded', (label) => {
    const [, props] = resourcesOf(s, 'AWS::StepFunctions::StateMachine').find(([id]) =>
      id.toLowerCase().includes(label),
    )!;
    expect(props.StateMachineType).toBe('STANDARD');
    const def = definitionOf(props);
    expect(def.StartAt).toBe('Start');
    const st = def.States;
    expect(st.Start).toMatchObject({ Type: 'Pass', Parameters: { 'event.$': '$', round: 0 }, Next: 'Collect' });
    // payloadResponseOnly: the function itself is the resource, the event its input, its report the result.
    expect(st.Collect).toMatchObject({
      Type: 'Task',
      Resource: expect.stringMatching(/^<.*CollectorFunction.*>$/),
      InputPath: '$.event',
      ResultPath: '$.report',
      Next: 'CountRound',
    });
    expect(st.Collect!.Parameters).toBeUndefined();
    const retries = st.Collect!.Retry as { ErrorEquals: string[]; BackoffRate: number; MaxAttempts: number }[];
    expect(retries.map((r) => r.ErrorEquals)).toEqual([
      ['Lambda.TooManyRequestsException'],
      ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
    ]);
    for (const r of retries) expect(r.BackoffRate).toBe(2);
    expect(st.CountRound).toMatchObject({
      Type: 'Pass',
      Parameters: { 'round.$': 'States.MathAdd($.round, 1)' },
      Next: 'MoreToDo',
    });
    const choices = st.MoreToDo!.Choices as Record<string, Json>[];
    expect(choices[0]).toMatchObject({
      And: [
        {
          And: [
            { Variable: '$.report.more', IsPresent: true },
            { Variable: '$.report.more', BooleanEquals: true },
          ],
        },
        { Variable: '$.round', NumericLessThan: MAX_ROUNDS },
      ],
      Next: 'Pause',
    });
    expect(choices[2]!.Next).toBe('RoundLimit');
    // Caught up: start the alerts' evaluation without waiting for it, then succeed.
    expect(st.MoreToDo!.Default).toBe('EvaluateAlerts');
    expect(st.EvaluateAlerts).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
      Parameters: {
        FunctionName: `<${s.stack.getLogicalId(s.stack.alerts.function.fn.node.defaultChild as never)}>`,
        InvocationType: 'Event',
        Payload: { collector: expect.any(String) },
      },
      ResultPath: null,
      Next: 'CaughtUp',
    });
    expect(st.Pause).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'Collect' });
    expect(st.RoundLimit).toMatchObject({ Type: 'Fail', Error: 'RoundLimitReached' });
    expect(st.CaughtUp).toMatchObject({ Type: 'Succeed' });
  });

  it.each(['main', 'sendsage'])(
    '%s: a collector answering busy (another run holds the lease) waits and invokes again, not a failure',
    (label) => {
      const [, props] = resourcesOf(s, 'AWS::StepFunctions::StateMachine').find(([id]) =>
        id.toLowerCase().includes(label),
      )!;
      const st = definitionOf(props).States;
      const choices = st.MoreToDo!.Choices as Record<string, Json>[];
      expect(choices[1]).toMatchObject({
        And: [
          {
            And: [
              { Variable: '$.report.busy', IsPresent: true },
              { Variable: '$.report.busy', BooleanEquals: true },
            ],
          },
          { Variable: '$.round', NumericLessThan: MAX_ROUNDS },
        ],
        Next: 'BusyPause',
      });
      expect(st.BusyPause).toMatchObject({ Type: 'Wait', Seconds: BUSY_PAUSE.toSeconds(), Next: 'Collect' });
      // Still bounded: busy for MAX_ROUNDS rounds ends in RoundLimit like `more` does.
      expect(choices[2]).toMatchObject({ Next: 'RoundLimit' });
      expect(JSON.stringify(choices[2])).toContain('$.report.busy');
    },
  );

  it('logs every execution without its data', () => {
    for (const [, p] of resourcesOf(s, 'AWS::StepFunctions::StateMachine')) {
      expect(p.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    }
  });
});

describe('lake bucket', () => {
  it('is encrypted, private, SSL-only, versioned, logged and retained', () => {
    const bucketId = s.stack.getLogicalId(s.stack.lake.bucket.node.defaultChild as s3.CfnBucket);
    const logsId = s.stack.getLogicalId(s.stack.lake.accessLogs.node.defaultChild as s3.CfnBucket);
    const bucket = s.json.Resources[bucketId] as Record<string, Json>;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'lake/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect((s.json.Resources[logsId] as Record<string, Json>).Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });

  it('expires quarantine, Athena results and old versions; keeps state history longer; never expires data by default', () => {
    const bucketId = s.stack.getLogicalId(s.stack.lake.bucket.node.defaultChild as s3.CfnBucket);
    const rules = (s.json.Resources[bucketId] as Record<string, Json>).Properties.LifecycleConfiguration
      .Rules as Record<string, Json>[];
    const byId = Object.fromEntries(rules.map((r) => [r.Id, r]));
    expect(byId.Quarantine).toMatchObject({
      Prefix: '_quarantine/',
      ExpirationInDays: 90,
      NoncurrentVersionExpiration: { NoncurrentDays: 7 },
    });
    expect(byId.State).toMatchObject({ Prefix: '_state/', NoncurrentVersionExpiration: { NoncurrentDays: 30 } });
    expect(byId.State.ExpirationInDays).toBeUndefined();
    expect(byId.AthenaResults).toMatchObject({ Prefix: '_athena-results/', ExpirationInDays: 30 });
    expect(byId.CheckSamples).toMatchObject({
      Prefix: '_check/',
      ExpirationInDays: 1,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
    expect(byId['Table-socketlabs_messages']).toMatchObject({
      Prefix: 'socketlabs_messages/',
      NoncurrentVersionExpiration: { NoncurrentDays: 7 },
    });
    expect(byId['Table-socketlabs_messages'].ExpirationInDays).toBeUndefined();
    expect(byId['Table-_rollups-socketlabs_messages']).toMatchObject({ Prefix: '_rollups/socketlabs_messages/' });
    expect(byId.AbortIncompleteUploads).toMatchObject({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } });
  });
});

describe('monitoring', () => {
  const alarms = () => resourcesOf(s, 'AWS::CloudWatch::Alarm').map(([, p]) => p);

  it('sends every alarm (and its recovery) to the topic, which mails the configured address', () => {
    const topicId = s.stack.getLogicalId(s.stack.monitoring.topic.node.defaultChild as never);
    for (const a of alarms()) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.OKActions).toEqual([{ Ref: topicId }]);
    }
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: s.config.alarmEmail });
  });

  it('watches errors of every function, throttles of all but the alerts, and failed executions of every loop', () => {
    const names = (metric: string) => alarms().filter((a) => a.MetricName === metric);
    expect(names('Errors')).toHaveLength(5);
    // The alerts function is throttled by design when two loops finish together, and Lambda retries the invoke.
    expect(names('Throttles')).toHaveLength(4);
    const alertsFn = s.stack.getLogicalId(s.stack.alerts.function.fn.node.defaultChild as never);
    expect(JSON.stringify(names('Throttles'))).not.toContain(alertsFn);
    for (const a of names('Errors'))
      expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    // A collector throttled while a backfill runs is retried by its loop: only an hour of it is alarmed.
    expect(
      names('Throttles')
        .map((a) => a.EvaluationPeriods)
        .sort(),
    ).toEqual([1, 4, 4, 4]);
    const failed = alarms().filter((a) => JSON.stringify(a.Metrics ?? '').includes('ExecutionsFailed'));
    expect(failed).toHaveLength(3);
  });

  it('alarms when no rows landed for a source in N hours, missing data breaching', () => {
    const noData = alarms().filter((a) => a.MetricName === 'RowsLanded');
    const byAccount = Object.fromEntries(
      noData.map((a) => [
        (a.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'Account')!.Value,
        a,
      ]),
    );
    expect(Object.keys(byAccount).sort()).toEqual(['legacy', 'main', 'sendsage']);
    expect(byAccount.main).toMatchObject({
      Namespace: 'Inboxlake',
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: s.config.noDataHours.socketlabs,
      DatapointsToAlarm: s.config.noDataHours.socketlabs,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Dimensions: [
        { Name: 'Account', Value: 'main' },
        { Name: 'Source', Value: 'socketlabs' },
      ],
    });
    expect(byAccount.sendsage).toMatchObject({ EvaluationPeriods: s.config.noDataHours.sendsage });
  });

  it('alarms when no digest was sent in 26 hours, missing data breaching', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Inboxlake',
      MetricName: 'DigestSent',
      Dimensions: [{ Name: 'Source', Value: 'digest' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('has an encrypted, SSL-only dead-letter queue whose depth is alarmed', () => {
    const queueId = s.stack.getLogicalId(s.stack.monitoring.deadLetterQueue.node.defaultChild as never);
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('cdk-nag (AWS Solutions checks)', () => {
  it('passes with zero errors (synthesis would have thrown), every acknowledgement with a written reason', () => {
    const acknowledged = s.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(30);
    }
  });

  it('does fail a synth with an unacknowledged finding (the checks really run here)', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Bare');
    new s3.Bucket(stack, 'Unlogged');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});

describe('other shapes of config', () => {
  it('synthesizes one v2 account in CSV with a retention, no SendSage, nag clean', () => {
    const other = synthesize(
      parseDeploymentConfig({
        socketlabs: [{ name: 'acme', secretName: 'acme/socketlabs', serverIds: [7] }],
        timeZone: 'America/New_York',
        digest: { from: 'ops@acme.example', to: ['a@acme.example'], localTime: '06:15', sesIdentity: 'acme.example' },
        format: 'csv',
        retentionDays: 400,
        tracing: true,
      }),
    );
    expect(resourcesOf(other, 'AWS::Lambda::Function')).toHaveLength(3);
    expect(resourcesOf(other, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    for (const [, p] of resourcesOf(other, 'AWS::Scheduler::Schedule')) {
      expect(p.ScheduleExpressionTimezone).toBe('America/New_York');
    }
    other.template.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ INBOXLAKE_FORMAT: 'csv' }) },
    });
    const glue = resourcesOf(other, 'AWS::Glue::Table').map(([, p]) => p.TableInput as Json);
    for (const t of glue) {
      expect(t.Parameters['projection.dt.range']).toBe('NOW-400DAYS,NOW+1DAYS');
      expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.serde2.OpenCSVSerde');
      // The writer's characters, the U+0000 escape char intact through the template file CloudFormation receives.
      expect(t.StorageDescriptor.SerdeInfo.Parameters).toEqual({
        separatorChar: ',',
        quoteChar: '"',
        escapeChar: '\u0000',
      });
    }
    const bucketId = other.stack.getLogicalId(other.stack.lake.bucket.node.defaultChild as s3.CfnBucket);
    const rules = (other.json.Resources[bucketId] as Json).Properties.LifecycleConfiguration.Rules as Json[];
    expect(rules.find((r) => r.Id === 'Table-socketlabs_messages').ExpirationInDays).toBe(400);
  });
});
