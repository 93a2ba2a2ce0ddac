/**
 * SocketLabs delivery failure codes, from the appendix of the Reporting API guide (v1.6, 2013). The families are the
 * guide's groups; `category` is the column value, `meaning` the guide's sentence, used by the digest's advice.
 */
export interface FailureCodeInfo {
  readonly category: string;
  readonly meaning: string;
}

const families: Record<number, string> = {
  1: 'rejected',
  2: 'invalid_address',
  3: 'temporary',
  4: 'system',
  5: 'informational',
  9: 'unknown',
};

const meanings: Record<number, string> = {
  1002: 'Your message was rejected because it was associated with a blacklist',
  1003: 'Your message was rejected because it was associated with a blacklist',
  1004: 'Your message was rejected due to its content',
  1006: 'Too many connections in a period of time',
  1007: 'A virus was detected in your message',
  1010: 'Rejected: the receiving server is not accepting mail for the destination domain',
  1999: 'Your message was rejected for a reason not specified above',
  2001: 'The email address is invalid',
  2002: 'The domain of the email address is invalid',
  2003: 'The email address is not in a valid format',
  2004: 'The email address is no longer valid',
  2999: 'The email address was rejected for a reason not specified above',
  3001: "The recipient's mailbox is full or over quota",
  3002: 'Recipient email account is inactive/disabled',
  3003: 'Recipient’s server continuously asked us to “try later”',
  3999: 'The email address was rejected for a reason not specified above',
  4001: 'Recipient’s server too busy',
  4002: 'Protocol error, invalid command or timeout',
  4003: "Unable to connect to recipient's mail server",
  4004: 'Recipient’s server rejected message as too old',
  4006: 'Rejected: the receiving server is not accepting mail for the destination domain',
  4999: 'A system, network or protocol error prevented the delivery for a reason not specified above',
  5001: 'Out of office / Auto-reply',
  5999: 'An informational message was received other than for a reason specified above',
  9999: 'The reason for the failure is unknown',
};

/** Every code the guide lists, for simulators and tests. */
export const documentedFailureCodes: readonly number[] = Object.keys(meanings).map(Number);

/** Category and meaning of a failure code; codes the guide does not list still get their family. */
export function describeFailureCode(code: number | null): FailureCodeInfo | null {
  if (code === null || !Number.isInteger(code)) return null;
  const family = families[Math.floor(code / 1000)] ?? 'unknown';
  return { category: family, meaning: meanings[code] ?? `Undocumented code in the ${family} family` };
}

/** FailureType as the guide defines it: 0 soft/temporary, 1 hard/permanent, 2 suppressed. */
export const failureTypeNames: Record<number, string> = { 0: 'soft', 1: 'hard', 2: 'suppressed' };
