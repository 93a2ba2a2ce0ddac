import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DAY_MS, parseDay, utcDay } from '../../shared/core/windows';
import {
  ATHENA_RESULTS_PREFIX,
  CHECK_PREFIX,
  QUARANTINE_PREFIX,
  STATE_PREFIX,
  tableAreaPrefix,
} from '../../shared/lake/layout';
import type { NamedQuery } from '../../shared/lake/named-queries';
import { commandsOf, generationsOf, type Registry, sources } from '../../shared/sources';
import { collectorsOf, type DeploymentConfig } from '../config';
import { glueTableInput } from '../glue-tables';
import type { DeployedTable } from '../sources';

export interface LakeProps {
  readonly config: DeploymentConfig;
  readonly tables: readonly DeployedTable[];
  readonly namedQueries: readonly NamedQuery[];
  /** The sources (default: the registry). */
  readonly registry?: Registry;
}

/** How long superseded object versions are kept: re-runs replace files, and a bad run can be rolled back. */
const NONCURRENT_DAYS = 7;
/** Checkpoint and digest-marker history: long enough to reconstruct what a month of runs did. */
const STATE_HISTORY_DAYS = 30;
/** Quarantined records are for inspection and replay, not for keeping. */
const QUARANTINE_DAYS = 90;
const ATHENA_RESULTS_DAYS = 30;
const ACCESS_LOG_DAYS = 90;

/**
 * The lake: an S3 bucket of Hive-partitioned files, a Glue database whose tables are generated from the table
 * definitions with partition projection (Athena sees new partitions with no crawler), and an Athena workgroup with
 * the named queries.
 */
export class Lake extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly tables: readonly glue.CfnTable[];
  /** Where Athena's `dt` projection starts (`YYYY-MM-DD` or `NOW-<n>DAYS`); collectors warn when they write earlier. */
  readonly dtProjectionStart: string;

  constructor(scope: Construct, id: string, props: LakeProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    // Glue and Athena names are what people type in queries: derived from the stack name so that two deployments
    // (e.g. staging and production) in one account do not collide.
    const baseName = stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_');

    // Log delivery by bucket policy, not ACLs (ACLs stay disabled, BucketOwnerEnforced), whatever the app's flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the lake; logging it into itself would log its own log deliveries.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      // SSE-S3 rather than KMS: no per-request key charges on Athena's many GETs, and no key grants to keep in step
      // with every reader; switch to KMS (with a bucket key) where a policy demands customer-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: lifecycleRules(config, props.tables),
      // The lake outlives the stack: deleting the stack must never delete collected history.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.databaseName = baseName;
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'inboxlake: SocketLabs and SendSage reporting data (tables generated from shared/lake).',
      },
    });

    const dateRangeStart = config.retentionDays ? `NOW-${config.retentionDays}DAYS` : config.historyStart;
    this.dtProjectionStart = dateRangeStart;
    const rangeWarning = dtProjectionWarning(config, utcDay(Date.now()), props.registry);
    if (rangeWarning) Annotations.of(this).addWarningV2('inboxlake:dt-projection-start', rangeWarning);
    this.tables = props.tables.map(({ table, enumValues }) => {
      const t = new glue.CfnTable(this, `Table-${table.name}`, {
        catalogId: stack.account,
        databaseName: this.databaseName,
        tableInput: glueTableInput(table, {
          bucketName: this.bucket.bucketName,
          format: config.format,
          dateRangeStart,
          enumValues,
        }),
      });
      t.addResourceDependency(database);
      return t;
    });

    this.workGroupName = baseName;
    const workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'inboxlake queries: results in the lake bucket, scans capped per query.',
      // Deleting the stack deletes the workgroup's saved queries and history too (never the data).
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Clients cannot override the result location, encryption or the scan cap.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    for (const q of props.namedQueries) {
      const named = new athena.CfnNamedQuery(this, `Query-${q.name}`, {
        name: q.name,
        description: q.description,
        database: this.databaseName,
        workGroup: this.workGroupName,
        queryString: q.sql,
      });
      // Both are referenced by name, not by token: order the creation explicitly.
      named.addResourceDependency(workGroup);
      named.addResourceDependency(database);
    }
  }
}

/**
 * Why Athena would hide collectable rows, or null. Without a retention, the `dt` projection starts at historyStart;
 * a backfill can still write every day a deployed windowed source serves (SocketLabs: its last 90), and rows of days
 * before historyStart land in the lake where no query sees them. Sources listed then fetched (SendSage) document no
 * retention, so only the windowed ones bound this; the one serving the oldest day is named.
 */
export function dtProjectionWarning(
  config: DeploymentConfig,
  today: string,
  registry: Registry = sources,
): string | null {
  if (config.retentionDays !== null) return null;
  const served = commandsOf(registry)
    .filter((command) => collectorsOf(command, config).length > 0)
    .flatMap((command) =>
      generationsOf(command, registry).flatMap((s) =>
        s.collection.kind === 'windowed' ? [{ title: command.title, days: s.collection.retentionDays }] : [],
      ),
    )
    .sort((a, b) => b.days - a.days)[0];
  if (!served) return null;
  const oldest = utcDay(parseDay(today) - (served.days - 1) * DAY_MS);
  if (config.historyStart <= oldest) return null;
  return (
    `inboxlake.historyStart ${config.historyStart} is later than ${oldest}, the oldest day ${served.title} still serves ` +
    `(${served.days} days): rows a backfill writes for days before ${config.historyStart} land in the ` +
    `lake, but Athena's dt projection starts at historyStart and no query sees them. Set historyStart to ${oldest} ` +
    'or earlier (or set retentionDays).'
  );
}

/** Expiry and version history per lake area (see layout.ts for the areas). */
function lifecycleRules(config: DeploymentConfig, tables: readonly DeployedTable[]): s3.LifecycleRule[] {
  const retention = config.retentionDays ? Duration.days(config.retentionDays) : undefined;
  const rules: s3.LifecycleRule[] = [
    // Prefix-less housekeeping: unfinished uploads and the delete markers left once old versions expire.
    { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
    {
      id: 'State',
      prefix: STATE_PREFIX,
      noncurrentVersionExpiration: Duration.days(STATE_HISTORY_DAYS),
    },
    {
      id: 'Quarantine',
      prefix: QUARANTINE_PREFIX,
      expiration: Duration.days(QUARANTINE_DAYS),
      noncurrentVersionExpiration: Duration.days(NONCURRENT_DAYS),
    },
    {
      id: 'AthenaResults',
      prefix: ATHENA_RESULTS_PREFIX,
      expiration: Duration.days(ATHENA_RESULTS_DAYS),
      noncurrentVersionExpiration: Duration.days(1),
    },
    // check-athena deletes its samples itself; this clears the old versions and what an interrupted run left.
    {
      id: 'CheckSamples',
      prefix: CHECK_PREFIX,
      expiration: Duration.days(1),
      noncurrentVersionExpiration: Duration.days(1),
    },
  ];
  // Data and rollups: one rule per table (prefixes cannot exclude `_state/`, whose history is kept longer).
  for (const { table } of tables) {
    for (const prefix of [tableAreaPrefix('data', table.name), tableAreaPrefix('rollups', table.name)]) {
      rules.push({
        id: `Table-${prefix.replace(/\/$/, '').replace(/[^A-Za-z0-9_-]/g, '-')}`,
        prefix,
        expiration: retention,
        noncurrentVersionExpiration: Duration.days(NONCURRENT_DAYS),
      });
    }
  }
  return rules;
}
