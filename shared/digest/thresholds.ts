import * as z from 'zod';
import { inboxPlacementDefaults as inbox } from '../core/placement';

/**
 * Thresholds, with defaults from the Gmail/Yahoo bulk-sender rules (complaints under 0.1 %, never 0.3 %) and SES
 * reputation guidance (bounces under 2 %, review at 5 %); inbox placement from seed-test practice. Findings are
 * only raised above a minimum volume, so a day of 20 messages does not page anyone over one bounce. The one
 * definition: the CLI's environment (shared/config.ts) and the deployment config (infra/config.ts) derive from it.
 */
export const thresholdsSchema = z.object({
  /** Complaint rates (fractions) from which a server warns and turns critical. */
  complaintWarn: z.number().min(0).max(1).default(0.001),
  complaintCritical: z.number().min(0).max(1).default(0.003),
  /** Bounce rates (fractions) from which a server warns and turns critical. */
  bounceWarn: z.number().min(0).max(1).default(0.02),
  bounceCritical: z.number().min(0).max(1).default(0.05),
  /** Inbox placement (percent) below which a test or provider warns and turns critical (shared with the alerts). */
  inboxWarn: z.number().min(0).max(100).default(inbox.inboxWarn),
  inboxCritical: z.number().min(0).max(100).default(inbox.inboxCritical),
  /** Messages queued (for bounce rate) or delivered (for complaint rate) before a rate counts. */
  minVolume: z.number().int().min(0).default(100),
  /** Seeds at a provider before its placement counts. */
  minSeeds: z.number().int().min(0).default(inbox.minSeeds),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

export const defaultThresholds: Thresholds = thresholdsSchema.parse({});

/** The environment variable that sets each configurable threshold (the seed minimum is fixed). */
export const thresholdEnv = {
  complaintWarn: 'INBOXLAKE_COMPLAINT_WARN',
  complaintCritical: 'INBOXLAKE_COMPLAINT_CRITICAL',
  bounceWarn: 'INBOXLAKE_BOUNCE_WARN',
  bounceCritical: 'INBOXLAKE_BOUNCE_CRITICAL',
  inboxWarn: 'INBOXLAKE_INBOX_WARN',
  inboxCritical: 'INBOXLAKE_INBOX_CRITICAL',
  minVolume: 'INBOXLAKE_MIN_VOLUME',
} as const satisfies Partial<Record<keyof Thresholds, string>>;

type Configurable = keyof typeof thresholdEnv;
type ThresholdEnvName = (typeof thresholdEnv)[Configurable];
const configurable = Object.keys(thresholdEnv) as Configurable[];

/** A threshold's bounds without its default, for configs that set only some thresholds. */
const bounds = (k: Configurable) => thresholdsSchema.shape[k].unwrap();

/**
 * The thresholds a deployment may set, each optional and within its bounds; an unset one is not passed on, so the
 * function keeps the default above.
 */
export const thresholdOverridesSchema = z.strictObject(
  Object.fromEntries(configurable.map((k) => [k, bounds(k).optional()])) as Record<
    Configurable,
    z.ZodOptional<z.ZodNumber>
  >,
);
export type ThresholdOverrides = z.infer<typeof thresholdOverridesSchema>;

/** The environment entries of the thresholds: text coerced to a number within the threshold's bounds, optional. */
const envEntry = (k: Configurable) => z.coerce.number().pipe(bounds(k)).optional();
export const thresholdEnvShape = Object.fromEntries(configurable.map((k) => [thresholdEnv[k], envEntry(k)])) as Record<
  ThresholdEnvName,
  ReturnType<typeof envEntry>
>;

/** The thresholds from parsed environment values; what is unset takes the default. */
export function thresholdsFromEnv(e: Partial<Record<ThresholdEnvName, number>>): Thresholds {
  return thresholdsSchema.parse(Object.fromEntries(configurable.map((k) => [k, e[thresholdEnv[k]]])));
}

/** A deployment's threshold overrides as the environment variables `thresholdsFromEnv` reads. */
export function thresholdEnvironment(overrides: ThresholdOverrides): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of configurable) {
    const value = overrides[k];
    if (value !== undefined) env[thresholdEnv[k]] = String(value);
  }
  return env;
}
