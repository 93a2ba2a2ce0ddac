import { AthenaClient } from '@aws-sdk/client-athena';
import * as z from 'zod';
import { allPassed, type CheckAthenaReport, checkAthena } from '../app/check-athena';
import { openLake } from '../app/lake';
import { allTables } from '../catalog';
import type { LakeConfig } from '../config';
import { athenaEngine } from '../lake/athena';
import { formatTable } from './summary';

/**
 * The stack's default names: infra/constructs/lake.ts names the Glue database and the workgroup after the stack
 * (`Inboxlake` → `inboxlake`); `cdk deploy` prints both as the GlueDatabase and AthenaWorkGroup outputs.
 */
const DEFAULT_NAME = 'inboxlake';

/** `inboxlake check-athena` arguments. */
export const checkAthenaArgs = z.object({
  workgroup: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, {
      error: '--workgroup takes an Athena workgroup name (the AthenaWorkGroup output)',
    })
    .default(DEFAULT_NAME),
  database: z
    .string()
    .regex(/^[a-z0-9_]{1,255}$/, { error: '--database takes a Glue database name (the GlueDatabase output)' })
    .default(DEFAULT_NAME),
});

export type CheckAthenaArgs = z.output<typeof checkAthenaArgs>;

/**
 * `inboxlake check-athena`: runs the Athena checks of every deployed table with the caller's AWS credentials and
 * prints one line per check; exit 1 when any failed.
 */
export async function runCheckAthena(args: CheckAthenaArgs, lake: LakeConfig): Promise<number> {
  const client = new AthenaClient(lake.region ? { region: lake.region } : {});
  try {
    const report = await checkAthena({
      engine: athenaEngine(client, { workGroup: args.workgroup, database: args.database }),
      // The sample goes next to the deployed tables, whatever INBOXLAKE_LAKE says (the endpoint setting still holds).
      openStore: (root) => openLake({ ...lake, location: root }),
      tables: allTables,
      now: Date.now,
    });
    process.stdout.write(`${formatCheckReport(report)}\n`);
    return allPassed(report) ? 0 : 1;
  } finally {
    client.destroy();
  }
}

/** The pass/fail table, the tables not deployed, and a count line. */
export function formatCheckReport(report: CheckAthenaReport): string {
  const rows = report.results.map((r) => [r.table, r.data, r.check, r.status.toUpperCase(), oneLine(r.detail)]);
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const lines = [formatTable(['table', 'data', 'check', 'result', 'detail'], rows).replace(/ +$/gm, '')];
  if (report.notDeployed.length) lines.push(`not deployed (not checked): ${report.notDeployed.join(', ')}`);
  lines.push(`check-athena: ${count('pass')} checks passed, ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n');
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
