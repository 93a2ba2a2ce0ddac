import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../shared/alerts/model';
import type { AlertThresholds } from '../../shared/alerts/thresholds';
import { produceAlerts } from '../../shared/app/alerts';
import { fileWriters } from '../../shared/app/lake';
import { DAY_MS } from '../../shared/core/windows';
import { LocalFolderStore } from '../../shared/lake/local-store';
import type { Row } from '../../shared/lake/table';
import { openWindowWriter } from '../../shared/lake/window-writer';
import { createRng } from '../../shared/sandbox/random';
import { formatUtcDate, parseUtcDate } from '../../shared/sandbox/socketlabs-v1/dates';
import type { V2EventKind } from '../../shared/sandbox/socketlabs-v2/content-tables';
import { V2Store } from '../../shared/sandbox/socketlabs-v2/dataset';
import { mapMessage } from '../../shared/sources/socketlabs-v2/mapping';
import { socketlabsMessages } from '../../shared/sources/socketlabs-v2/tables';

/**
 * Normal traffic for measuring false alarms (issue 15): servers of the v2 simulator with realistic rates given
 * explicitly (the simulator's default profile is not what a real sender sees), landed in a lake as collection lands
 * them, then evaluated hourly by the real `produceAlerts`. The rollups are built directly from the simulator's items
 * through the real v2 mapping and window writer (rollups only, no data files), not via HTTP collection: a collection
 * of 60 days of several servers through the API would take far longer and count the same quarter-hours.
 */

/** One simulated server: its volume, its weekly rhythm and its event mix (the simulator's `events`). */
export interface NormalServer {
  readonly id: number;
  /** Status events on a working day (about 2.3 per message: queued, delivered, some engagement). */
  readonly weekdayEvents: number;
  /** Saturday and Sunday volume as a fraction of a working day's. */
  readonly weekendFactor: number;
  /** Weights replacing the simulator's default mix: failure and complaint set the bounce and complaint rates. */
  readonly mix: Partial<Readonly<Record<V2EventKind, number>>>;
}

// queued 36 and delivered 35 of ~85 weights: a failure weight of 0.36 is about 1 % of queued, a complaint weight of
// 0.035 about 0.1 % of delivered (before the share of failures that are suppressions, which count as neither).
const mix = (failure: number, complaint: number) => ({ delivered: 35, failure, complaint });

/** Four senders of different sizes and habits: bounces ~0.5–3 %, complaints ~0.01–0.1 %. */
export const normalServers: readonly NormalServer[] = [
  { id: 201, weekdayEvents: 14_000, weekendFactor: 0.8, mix: mix(0.25, 0.004) },
  { id: 202, weekdayEvents: 30_000, weekendFactor: 0.3, mix: mix(0.7, 0.03) },
  { id: 203, weekdayEvents: 8_000, weekendFactor: 0.5, mix: mix(1.15, 0.035) },
  { id: 204, weekdayEvents: 2_500, weekendFactor: 0.6, mix: mix(0.5, 0.015) },
];

/** Counts over the landed days, to report the rates the servers actually had. */
export interface LandedFigures {
  readonly queued: number;
  readonly bounces: number;
  readonly delivered: number;
  readonly complaints: number;
}

const BATCH = 5_000;

/**
 * Lands `days` days from `from` of each server's simulated traffic in the lake at `lake` (one day window per server
 * and day: the quarter-hour rollups are what hourly collections would have written). Daily volume: the server's
 * working-day or weekend volume, ±10 % from day to day; the simulator spreads it over the day with quiet nights.
 */
export async function landNormalTraffic(
  lake: string,
  opts: {
    readonly from: string;
    readonly days: number;
    readonly servers: readonly NormalServer[];
    readonly seed: number;
  },
): Promise<Map<number, LandedFigures>> {
  const store = new LocalFolderStore(lake);
  const first = parseUtcDate(opts.from);
  const to = formatUtcDate(first + opts.days - 1);
  const tmp = await mkdtemp(join(tmpdir(), 'inboxlake-normal-'));
  const figures = new Map<number, LandedFigures>();
  try {
    for (const server of opts.servers) {
      const sim = new V2Store({
        seed: opts.seed,
        serverIds: [server.id],
        from: opts.from,
        to,
        events: server.mix,
        profile: (date, id) => {
          const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
          const base = server.weekdayEvents * (weekday === 0 || weekday === 6 ? server.weekendFactor : 1);
          return Math.round(base * createRng(opts.seed, 'normal-volume', id, date).float(0.9, 1.1));
        },
      });
      const f = { queued: 0, bounces: 0, delivered: 0, complaints: 0 };
      for (let day = first; day < first + opts.days; day++) {
        const window = { start: day * DAY_MS, end: (day + 1) * DAY_MS };
        const writer = await openWindowWriter({
          store,
          table: socketlabsMessages,
          partition: { dt: formatUtcDate(day), server_id: server.id },
          window,
          formats: [],
          writers: fileWriters,
          tmpDir: tmp,
          now: () => window.end,
        });
        const range = sim.range(server.id, window.start / 1000, window.end / 1000 - 1);
        for (let i = range.start; i < range.end; i += BATCH) {
          const rows: Row[] = [];
          for (const item of sim.slice(server.id, i, Math.min(range.end, i + BATCH))) {
            const m = mapMessage(item, window.end);
            if (!m.ok) continue;
            rows.push(m.row);
            const type = m.row.event_type;
            if (type === 'queued') f.queued++;
            else if (type === 'delivered') f.delivered++;
            else if (type === 'complaint') f.complaints++;
            if (m.row.failure_type_name === 'hard' || m.row.failure_type_name === 'soft') f.bounces++;
          }
          await writer.append(rows);
        }
        await writer.commit();
      }
      figures.set(server.id, f);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return figures;
}

/** Every alert the hourly evaluations opened, with the instant of the evaluation. */
export interface HourlyAlerts {
  readonly evaluations: number;
  readonly opened: readonly { readonly at: number; readonly alert: Alert }[];
}

/**
 * Evaluates the lake every hour (at five past, as the scheduled collection would) from `from` to `to` (epoch ms)
 * with the real lifecycle, so one incident counts once however many hours it lasts.
 */
export async function evaluateHourly(
  lake: string,
  opts: { readonly from: number; readonly to: number; readonly thresholds?: AlertThresholds },
): Promise<HourlyAlerts> {
  const store = new LocalFolderStore(lake);
  const opened: { at: number; alert: Alert }[] = [];
  let evaluations = 0;
  for (let at = opts.from + 5 * 60_000; at < opts.to; at += 3_600_000) {
    const { announcements } = await produceAlerts(store, {
      at,
      ...(opts.thresholds ? { thresholds: opts.thresholds } : {}),
    });
    evaluations++;
    for (const alert of announcements.opened) opened.push({ at, alert });
  }
  return { evaluations, opened };
}
