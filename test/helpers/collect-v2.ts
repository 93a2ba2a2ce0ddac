import { allTables } from '../../shared/catalog';
import { openLakeQuery } from '../../shared/lake/query';
import type { V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { parseApiTimestamp } from '../../shared/sources/timestamps';

export const KEY_V2 = 'v2-k3y-THAT-must-never-leak';

/**
 * The simulator's event mix before its defaults turned realistic (~18 % bounces, ~1.2 % complaints): a test of a few
 * hundred items that needs every status, complaints included, sets it explicitly.
 */
export const EXTREME_V2_EVENTS = { delivered: 33, failure: 7, complaint: 0.4 } as const;

/** The environment a run against the v2 simulator uses (limits scaled like the simulator's windows). */
export function v2Env(sim: V2Simulator, servers: readonly number[], scale: number, extra: Record<string, string> = {}) {
  return {
    SOCKETLABS_API_URL: sim.url,
    SOCKETLABS_API_KEY: KEY_V2,
    SOCKETLABS_SERVER_IDS: servers.join(','),
    SOCKETLABS_RATE_SCALE: String(scale),
    SOCKETLABS_TIMEOUT_MS: '400',
    ...extra,
  };
}

const norm = (v: unknown) => (v === '' || v === undefined ? null : typeof v === 'bigint' ? Number(v) : v);

/** Ground-truth message items of servers within [from, to] as comparable rows. */
export function truthMessages(
  sim: V2Simulator,
  servers: readonly number[],
  from: string,
  to: string,
  until = Number.POSITIVE_INFINITY,
): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Math.min(Date.parse(`${to}T00:00:00Z`) + 86_400_000, until);
  const rows: string[] = [];
  for (const server of servers) {
    for (const item of sim.truth(server)) {
      const t = parseApiTimestamp(item.statusDate)!;
      if (t < start || t >= end) continue;
      const code = item.failureCode === null || item.failureCode === undefined ? null : Number(item.failureCode);
      rows.push(JSON.stringify([server, t, ...[item.messageId, item.status, item.to, code, item.reason].map(norm)]));
    }
  }
  return rows.sort();
}

/** The lake's socketlabs_messages rows in the same comparable form. */
export async function lakeMessages(lakeDir: string): Promise<string[]> {
  const q = await openLakeQuery({ lakeDir, tables: allTables });
  try {
    const res = await q.run(
      'select cast(server_id as bigint), epoch_ms(event_time), message_id, status, to_address, failure_code, reason from socketlabs_messages',
    );
    return res.rows.map((r) => JSON.stringify(r.map(norm))).sort();
  } finally {
    await q.close();
  }
}
