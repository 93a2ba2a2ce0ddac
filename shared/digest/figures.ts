import type { RollupCount } from '../lake/rollup-reader';
import type { DigestCampaign, DigestServer, ServerMetrics } from './model';

/**
 * The digest's arithmetic, apart from where the numbers come from: how a rollup count adds to a server's day, the
 * rates, and the fleet's figures across servers and placement tests. Pure, so the lake reader and the view model
 * share one definition of every figure.
 */

/** A server's day as counts; the rates follow from them. */
export type Counters = Omit<ServerMetrics, 'bounce_rate' | 'complaint_rate'>;

export const zeroCounters = (): Counters => ({
  queued: 0,
  processed: 0,
  hard_bounces: 0,
  soft_bounces: 0,
  suppressed: 0,
  complaints: 0,
  opens: 0,
  clicks: 0,
});

/**
 * How a rollup count adds to the day's counters: the v1 tables each count one thing; the v2 messages table counts
 * by event type and failure type, so that both generations give the same figures.
 */
export function addCount(c: Counters, r: RollupCount): void {
  const n = r.count;
  switch (r.table) {
    case 'socketlabs_queued':
      c.queued += n;
      return;
    case 'socketlabs_processed':
      c.processed += n;
      return;
    case 'socketlabs_complaints':
      c.complaints += n;
      return;
    case 'socketlabs_engagement':
      if (r.dims.event_type_name === 'open') c.opens += n;
      else if (r.dims.event_type_name === 'click') c.clicks += n;
      return;
    case 'socketlabs_failed':
    case 'socketlabs_messages': {
      const type = r.dims.failure_type_name;
      const event = r.dims.event_type;
      if (type === 'hard') c.hard_bounces += n;
      else if (type === 'soft') c.soft_bounces += n;
      else if (type === 'suppressed' || event === 'suppressed') c.suppressed += n;
      if (r.table === 'socketlabs_failed') return;
      if (event === 'queued') c.queued += n;
      else if (event === 'delivered') c.processed += n;
      else if (event === 'complaint') c.complaints += n;
      else if (event === 'open') c.opens += n;
      else if (event === 'click') c.clicks += n;
      return;
    }
  }
}

/** The counters with their rates, as `definitions` defines them. */
export const withRates = (c: Counters): ServerMetrics => ({
  ...c,
  bounce_rate: c.queued > 0 ? (c.hard_bounces + c.soft_bounces) / c.queued : null,
  complaint_rate: c.processed > 0 ? c.complaints / c.processed : null,
});

/** The day across servers, and the same against the 7-day baseline of the servers that have one. */
export interface FleetTotals {
  readonly queued: number;
  readonly processed: number;
  readonly bounces: number;
  readonly complaints: number;
  readonly bounceRate: number | null;
  readonly complaintRate: number | null;
  /** Servers with a baseline; the comparisons below cover only them. */
  readonly withBaseline: number;
  /** What those servers queued on the day, and their baseline's sum. */
  readonly comparedQueued: number;
  readonly baselineQueued: number;
  readonly baselineBounceRate: number | null;
  readonly baselineComplaintRate: number | null;
}

/** The fleet's figures for the day over the given servers. */
export function fleetTotals(servers: readonly DigestServer[]): FleetTotals {
  let queued = 0;
  let processed = 0;
  let bounces = 0;
  let complaints = 0;
  let withBaseline = 0;
  let comparedQueued = 0;
  let baselineQueued = 0;
  let baselineBounces = 0;
  let baselineComplaints = 0;
  let baselineProcessed = 0;
  for (const s of servers) {
    queued += s.queued;
    processed += s.processed;
    bounces += s.hard_bounces + s.soft_bounces;
    complaints += s.complaints;
    const b = s.baseline;
    if (b?.queued !== undefined && b.queued !== null) {
      withBaseline++;
      comparedQueued += s.queued;
      baselineQueued += b.queued;
      baselineBounces += (b.hard_bounces ?? 0) + (b.soft_bounces ?? 0);
      baselineComplaints += b.complaints ?? 0;
      baselineProcessed += b.processed ?? 0;
    }
  }
  return {
    queued,
    processed,
    bounces,
    complaints,
    bounceRate: queued === 0 ? null : bounces / queued,
    complaintRate: processed === 0 ? null : complaints / processed,
    withBaseline,
    comparedQueued,
    baselineQueued,
    baselineBounceRate: baselineQueued === 0 ? null : baselineBounces / baselineQueued,
    baselineComplaintRate: baselineProcessed === 0 ? null : baselineComplaints / baselineProcessed,
  };
}

/** Mean inbox, bulk and missing percentages over the tests that have a placement; null when none has. */
export function placementAverages(campaigns: readonly DigestCampaign[]): {
  inbox: number | null;
  bulk: number | null;
  missing: number | null;
} {
  const scored = campaigns.filter((c) => c.pct_inbox !== null);
  const mean = (f: (c: DigestCampaign) => number | null) =>
    scored.length === 0 ? null : scored.reduce((s, c) => s + (f(c) ?? 0), 0) / scored.length;
  return { inbox: mean((c) => c.pct_inbox), bulk: mean((c) => c.pct_bulk), missing: mean((c) => c.pct_missing) };
}
