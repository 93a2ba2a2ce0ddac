import * as z from 'zod';
import { inboxPlacementDefaults } from '../core/placement';

/**
 * When an intraday alert opens. Every test needs a minimum volume (so that three bounces out of ten mails are not an
 * incident), a ratio to the baseline (so that a significant but harmless drift is not one either) and a tail
 * probability of the observed count under the baseline rate at most `alpha` (so that chance is not one). `alpha` is
 * small because every hour tests every server, metric and recipient domain: with 1e-6, a fleet of 10 servers and 50
 * domains evaluated hourly expects about one false alarm from chance in 200 years.
 */
export const alertThresholdsSchema = z.object({
  /** Lengths of the evaluated windows of closed quarter-hours, shortest first, in minutes. */
  windowsMinutes: z.array(z.number().int().positive().multipleOf(15)).min(1).default([60, 180]),
  /** The baseline: the same window of the clock on each of this many previous days. */
  baselineDays: z.number().int().min(1).max(28).default(7),
  /** Largest tail probability of the observed count under the baseline that still opens an alert. */
  alpha: z.number().gt(0).lt(1).default(1e-6),
  /** Bounce rate (bounces / queued): least queued in the window, least bounces, least ratio to the baseline rate. */
  bounceMinQueued: z.number().int().min(1).default(200),
  bounceMinCount: z.number().int().min(1).default(10),
  bounceMinRatio: z.number().min(1).default(2),
  /** A baseline bounce rate below this is taken as this: a clean history must not make every bounce a surge. */
  bounceRateFloor: z.number().min(0).max(1).default(0.005),
  /** Complaint rate (complaints / delivered), likewise. */
  complaintMinProcessed: z.number().int().min(1).default(500),
  complaintMinCount: z.number().int().min(1).default(5),
  complaintMinRatio: z.number().min(1).default(3),
  complaintRateFloor: z.number().min(0).max(1).default(0.0005),
  /** A rate this many times the baseline or more makes a bounce or complaint alert critical (else a warning). */
  criticalRatio: z.number().min(1).default(4),
  /** Failure-code categories (as the source's describeFailureCode names them) that mean the receiver blocks. */
  blockCategories: z.array(z.string()).min(1).default(['rejected']),
  /** Block failures at one recipient domain: least count in the window, least ratio to the expected count. */
  blockMinCount: z.number().int().min(1).default(20),
  blockMinRatio: z.number().min(1).default(3),
  /** An expected block count below this (a domain that never blocked) is taken as this. */
  blockExpectedFloor: z.number().gt(0).default(1),
  /** Silence: the server queued in this window on at least this many of the baseline days… */
  silenceMinActiveDays: z.number().int().min(1).default(5),
  /** …at least this many messages on average, and now at most this fraction of it. */
  silenceMinExpected: z.number().min(1).default(50),
  silenceMaxFraction: z.number().min(0).max(1).default(0.1),
  /**
   * A SendSage test that finished within the longest window opens an alert when its inbox placement (percent) is
   * below `inboxWarn` (critical below `inboxCritical`): the digest's thresholds, whose defaults both take from
   * shared/core/placement.ts. Providers with at least `minSeeds` seeds below `inboxWarn` are named in the advice.
   */
  inboxWarn: z.number().min(0).max(100).default(inboxPlacementDefaults.inboxWarn),
  inboxCritical: z.number().min(0).max(100).default(inboxPlacementDefaults.inboxCritical),
  minSeeds: z.number().int().min(0).default(inboxPlacementDefaults.minSeeds),
  /** How long after it was sent a test may finish: how many days of test partitions an evaluation reads (hours). */
  placementMaxRunHours: z.number().positive().max(336).default(48),
  /** While an alert stays open, it is announced again at most this often (hours); opening and resolving always are. */
  reminderHours: z.number().positive().default(6),
});

export type AlertThresholds = z.infer<typeof alertThresholdsSchema>;
export type AlertThresholdsInput = z.input<typeof alertThresholdsSchema>;

/** The documented defaults. */
export const defaultAlertThresholds: AlertThresholds = alertThresholdsSchema.parse({});

/**
 * The thresholds a deployment changes (`INBOXLAKE_ALERT_THRESHOLDS`, `alerts.thresholds` in cdk.json): the same
 * fields and bounds, the rest defaulted, and a misspelt field refused by name rather than ignored.
 */
export const alertThresholdOverridesSchema = z.strictObject(alertThresholdsSchema.shape, {
  error: (issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown threshold ${issue.keys.map((k) => `'${k}'`).join(', ')} (known: ${Object.keys(alertThresholdsSchema.shape).join(', ')})`
      : undefined,
});
