import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, type Size, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { bundlingOptions, entryOf, type FunctionName, NODE_TARGET } from '../bundling';

/** The repository root: NodejsFunction's project root (package-lock.json, tsconfig) for local esbuild bundling. */
const projectRoot = dirname(fileURLToPath(new URL('../../package.json', import.meta.url)));

/** Tag keys that identify a function in the template (tests and operators find functions by them). */
export const FUNCTION_TAG = 'inboxlake:function';
export const ACCOUNT_TAG = 'inboxlake:account';

/** Namespace of the metrics the handlers publish through Embedded Metric Format log lines. */
export const METRICS_NAMESPACE = 'Inboxlake';

export interface InboxlakeFunctionProps {
  /** Which handler (functions/<name>/handler.ts). */
  readonly name: FunctionName;
  /** The source account the function collects for, if any (SocketLabs account slug, or 'sendsage'). */
  readonly account?: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** /tmp size: collectors spool windows and CSV downloads there before upload. */
  readonly ephemeralStorage?: Size;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  /** 1 for collectors: one run per API key at a time (see collectors.ts). */
  readonly reservedConcurrency?: number;
}

/**
 * A Lambda function with inboxlake's defaults fixed in one place: the handler bundled by local esbuild (no Docker)
 * as minified ESM with source maps, Node 22 on ARM64 (cheaper per GB-second, and nothing native is bundled), its own
 * log group with a retention, JSON logs. The `…()` binders each set the environment variable the handler reads AND
 * grant the IAM it needs, so neither can be forgotten without the other.
 */
export class InboxlakeFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly functionName: FunctionName;

  constructor(scope: Construct, id: string, props: InboxlakeFunctionProps) {
    super(scope, id);
    this.functionName = props.name;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Operational logs, bounded by their retention; the lake is what is kept.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole (logs:* on every log group): writes to this log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `inboxlake ${props.name}${props.account ? ` (${props.account})` : ''}`,
    });
    this.logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: entryOf(props.name),
      role,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorage,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup: this.logGroup,
      // JSON also for the platform's START/END/REPORT lines, so Logs Insights queries one shape. Our logger writes
      // whole JSON lines straight to stderr (and EMF lines to stdout), which the runtime passes through unchanged;
      // only console.* calls are re-wrapped by this setting, and the handlers do not use them.
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      // The handlers are invoked by schedules and state machines, never by themselves: a loop is a bug.
      recursiveLoop: lambda.RecursiveLoop.TERMINATE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        INBOXLAKE_TMP: '/tmp',
        INBOXLAKE_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundling: {
        target: NODE_TARGET,
        format: OutputFormat.ESM,
        mainFields: [...bundlingOptions.mainFields],
        minify: bundlingOptions.minify,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: bundlingOptions.sourcesContent,
        banner: bundlingOptions.banner.js,
        externalModules: [...bundlingOptions.external],
        // NodejsFunction leaves @aws-sdk/* out on Node 18+ by default; bundling.ts says why we bundle it.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
    Tags.of(this.fn).add(FUNCTION_TAG, props.name);
    if (props.account) {
      Tags.of(this.fn).add(ACCOUNT_TAG, props.account);
      this.fn.addEnvironment('INBOXLAKE_ACCOUNT', props.account);
    }
    this.acknowledge(
      'AwsSolutions-L1',
      'Pinned to nodejs22.x on purpose: the bundles target node22 and the handlers are tested on it; moving to a ' +
        'newer runtime is a deliberate change with its own test and benchmark run.',
    );
    if (props.tracing) {
      this.acknowledge(
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.',
      );
    }
  }

  /** Sets an environment variable the handler reads. */
  env(name: string, value: string): this {
    this.fn.addEnvironment(name, value);
    return this;
  }

  /**
   * The lake: `INBOXLAKE_LAKE=s3://<bucket>` and `INBOXLAKE_FORMAT`, read and write on `writes` prefixes (get, put,
   * delete: re-runs replace files), read-only on `reads`. Prefixes may hold a `*` wildcard.
   */
  usesLake(
    bucket: s3.IBucket,
    format: 'parquet' | 'csv',
    access: { readonly writes?: readonly string[]; readonly reads?: readonly string[] },
  ): this {
    this.env('INBOXLAKE_LAKE', `s3://${bucket.bucketName}`);
    this.env('INBOXLAKE_FORMAT', format);
    const objects = (prefixes: readonly string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
    const statements: iam.PolicyStatement[] = [];
    if (access.writes?.length) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'LakeReadWrite',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: objects(access.writes),
        }),
      );
    }
    if (access.reads?.length) {
      statements.push(
        new iam.PolicyStatement({ sid: 'LakeRead', actions: ['s3:GetObject'], resources: objects(access.reads) }),
      );
    }
    // Listing is granted on the bucket without an s3:prefix condition: S3 answers a GET of a missing key with 404
    // only to a caller allowed to list, and the lake reads absent checkpoints and digest markers on purpose (a 403
    // would fail the first run). Listing reveals key names only; contents stay limited to the prefixes above.
    statements.push(
      new iam.PolicyStatement({ sid: 'LakeList', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    for (const s of statements) this.fn.addToRolePolicy(s);
    for (const resource of statements.flatMap((s) => s.resources)) {
      if (!resource.includes('*')) continue;
      this.acknowledge(
        `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(resource))}]`,
        'Objects under one lake prefix of this function: their names (windows, dates) are made at run time.',
      );
    }
    return this;
  }

  /**
   * A Secrets Manager secret: its ARN in `envName`, read access to that secret only, and kms:Decrypt on the
   * customer-managed key it is encrypted with, if any (grantRead on a secret imported by name cannot know its key).
   */
  readsSecret(envName: string, secret: secretsmanager.ISecret, kmsKeyArn?: string): this {
    this.env(envName, secret.secretArn);
    secret.grantRead(this.fn);
    return this.decryptsSecretsWith(kmsKeyArn);
  }

  /**
   * A secret known by its complete ARN whose value alone is read: its ARN in `envName`,
   * secretsmanager:GetSecretValue on that ARN only (not DescribeSecret, which grantRead adds), kms:Decrypt as above.
   */
  readsSecretValue(envName: string, secretArn: string, kmsKeyArn?: string): this {
    this.env(envName, secretArn);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSecretValue',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArn],
      }),
    );
    return this.decryptsSecretsWith(kmsKeyArn);
  }

  private decryptsSecretsWith(kmsKeyArn: string | undefined): this {
    if (kmsKeyArn) {
      this.fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DecryptSecret',
          actions: ['kms:Decrypt'],
          resources: [kmsKeyArn],
          // Only for Secrets Manager's decrypt of the secret value, not for anything else the key encrypts.
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    return this;
  }

  /**
   * Sending e-mail through SES: ses:SendRawEmail on the given identities only, and only with `from` as the
   * sender (ses:FromAddress), so the function cannot send as anyone else even from a verified domain.
   */
  sendsEmail(identityArns: readonly string[], from: string): this {
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SendDigest',
        actions: ['ses:SendRawEmail'],
        resources: [...identityArns],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
    return this;
  }

  /** Acknowledges a cdk-nag finding on this function (role, policy and function) with the reason it stands. */
  acknowledge(id: string, reason: string): void {
    Validations.of(this).acknowledge({ id, reason });
  }
}

/** CloudWatch's retention enum from a number of days (the config only admits values CloudWatch accepts). */
export function retentionDays(days: number): logs.RetentionDays {
  return days as logs.RetentionDays;
}

/** Collector functions stop themselves before this (see the handlers' RESERVE_MS); 15 minutes is Lambda's maximum. */
export const COLLECTOR_TIMEOUT = Duration.minutes(15);
