/**
 * The v1 `accountData` object: billing period, usage and allowances of a server at a moment. Apart from the
 * datasets because it is a separate endpoint with its own synthetic numbers.
 */
import { hashSeed, Rng } from '../random';
import { formatV1DateTime } from './dates';
import type { V1Record } from './model';

export interface V1AccountUsage {
  readonly apiAccessCount?: number;
  readonly messageCount?: number;
  readonly byteCount?: number;
}

const MESSAGE_ALLOWANCE = 1_000_000;
const BYTE_ALLOWANCE = 64_000_000_000;

/**
 * The accountData object of a server at `now`: billing periods run from the 15th to the 14th (as in the guide's
 * example), and usage grows through the period at a server-specific daily rate, so busy servers go over their
 * message allowance late in the period. `usage` overrides the synthetic counts.
 */
export function accountData(serverId: number, now: Date, usage: V1AccountUsage = {}): V1Record {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const startMs = now.getUTCDate() >= 15 ? Date.UTC(y, m, 15) : Date.UTC(y, m - 1, 15);
  const start = new Date(startMs);
  const endMs = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 14);
  const elapsedDays = (now.getTime() - startMs) / 86_400_000;
  const rng = new Rng(hashSeed('account', serverId));
  const perDay = rng.int(5_000, 60_000);
  const avgSize = rng.int(9_000, 20_000);
  const messages = usage.messageCount ?? Math.floor(perDay * elapsedDays);
  const bytes = usage.byteCount ?? messages * avgSize;
  const overMessages = messages > MESSAGE_ALLOWANCE;
  const overBytes = bytes > BYTE_ALLOWANCE;
  return {
    ServerId: serverId,
    CurrentBillingPeriodStart: formatV1DateTime(startMs / 1000),
    CurrentBillingPeriodEnd: formatV1DateTime(endMs / 1000),
    BillingPeriodApiAccessCount: usage.apiAccessCount ?? 0,
    BillingPeriodMessageCount: messages,
    BillingPeriodByteCount: bytes,
    ServerApiAccessAllowance: 0,
    ServerMessageAllowance: MESSAGE_ALLOWANCE,
    ServerByteAllowance: BYTE_ALLOWANCE,
    IsOverAllowance: overMessages || overBytes,
    IsOverByteAllowance: overBytes,
    IsOverMessageAllowance: overMessages,
  };
}
