import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allTables } from '../../shared/catalog';
import { digestSchema } from '../../shared/digest/model';
import { openLakeQuery } from '../../shared/lake/query';
import { runCli } from '../helpers/cli';
import { lakeFiles, scratch } from '../helpers/collect';

/** `npm start` on a machine with no credentials: the embedded simulators, a local lake, yesterday's digest. */
describe('inboxlake start (what `npm start` runs)', () => {
  it('collects a week from both simulators and writes a digest that agrees with SQL over the lake', async () => {
    const dir = await scratch('start');
    const timeZone = 'America/New_York';
    const run = await runCli(['start'], { INBOXLAKE_LAKE: join(dir, 'lake'), INBOXLAKE_TIMEZONE: timeZone }, dir);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);

    const files = await lakeFiles(join(dir, 'lake'));
    expect(files.some((f) => f.startsWith('socketlabs_messages/'))).toBe(true);
    expect(files.some((f) => f.startsWith('sendsage_campaigns/'))).toBe(true);

    const html = /\n {2}(\S+digest\.html)\n/.exec(run.stdout)?.[1];
    expect(html, run.stdout).toBeDefined();
    expect(html!.startsWith(join(dir, 'outbox'))).toBe(true);
    const digest = digestSchema.parse(JSON.parse(await readFile(join(html!, '..', 'digest.json'), 'utf8')));
    expect(digest.timezone).toBe(timeZone);
    expect(digest.socketlabs.servers.length).toBeGreaterThan(0);

    const q = await openLakeQuery({ lakeDir: join(dir, 'lake'), tables: allTables });
    const sql = await q.run(
      "select server_id, count(*) filter (where event_type = 'delivered') from socketlabs_messages " +
        `where event_time >= TIMESTAMPTZ '${digest.window.start}' and event_time < TIMESTAMPTZ '${digest.window.end}' ` +
        'group by 1 order by 1',
    );
    await q.close();
    expect(digest.socketlabs.servers.map((s) => [s.server_id, s.processed])).toEqual(
      sql.rows.map((r) => [Number(r[0]), Number(r[1])]),
    );
  }, 120_000);
});
