import { describe, expect, it } from 'vitest';
import { DAY_MS, utcDay } from '../../shared/core/windows';
import { runCli } from '../helpers/cli';
import { scratch } from '../helpers/collect';

/**
 * Issue 11 points 4 and 10: arguments or configuration that can never work end the real CLI at once with exit 2 and
 * one line naming the flag or variable — never its value, never "unexpected error", and never after minutes of
 * retries (a URL with credentials or a key fetch cannot send was retried 8 times per window, 47–63 s, exit 1).
 */
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const day = (offset: number) => utcDay(today + offset * DAY_MS);
/** Nothing listens there: a run that got as far as calling the API would fail with 1, after retries. */
const NOWHERE = 'http://127.0.0.1:9';
const socketlabs = {
  SOCKETLABS_API_URL: `${NOWHERE}/v1`,
  SOCKETLABS_USERNAME: 'exit-user',
  SOCKETLABS_API_KEY: 'exit-code-key',
  SOCKETLABS_SERVER_IDS: '1234',
};
const sendsage = { SENDSAGE_API_URL: `${NOWHERE}/api.php`, SENDSAGE_USERNAME: 'u', SENDSAGE_PASSWORD: 'pw-exit-code' };
const collect = ['collect', 'socketlabs', '--from', day(-3), '--to', day(-2), '--datasets', 'failed'];

interface Case {
  readonly name: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** What the one line must say (the flag or variable, and why). */
  readonly says: RegExp;
  /** A value the line must not repeat (a credential). */
  readonly secret?: string;
}

const cases: Case[] = [
  {
    name: '--from after --to',
    args: ['collect', 'socketlabs', '--from', '2026-11-13', '--to', '2026-11-10'],
    env: socketlabs,
    says: /--from 2026-11-13 is after --to 2026-11-10/,
  },
  {
    name: 'an unknown option',
    args: ['collect', 'socketlabs', '--bogus'],
    env: socketlabs,
    says: /unknown option --bogus/,
  },
  {
    name: 'an option without its value',
    args: ['collect', 'socketlabs', '--from'],
    env: socketlabs,
    says: /option --from needs a value/,
  },
  { name: 'a flag given a value', args: ['digest', '--send=yes'], env: {}, says: /option --send takes no value/ },
  {
    name: '--server abc',
    args: ['collect', 'socketlabs', '--server', 'abc'],
    env: socketlabs,
    says: /--server must be/,
  },
  { name: '--days abc', args: ['collect', 'sendsage', '--days', 'abc'], env: sendsage, says: /--days must be/ },
  { name: 'an invalid --timezone', args: ['digest', '--timezone', 'Mars/Base'], env: {}, says: /--timezone must be/ },
  {
    name: 'an invalid INBOXLAKE_TIMEZONE',
    args: ['digest'],
    env: { INBOXLAKE_TIMEZONE: 'Mars/Base' },
    says: /INBOXLAKE_TIMEZONE must be/,
  },
  {
    name: 'INBOXLAKE_LAKE=s3:// (no bucket)',
    args: collect,
    env: { ...socketlabs, INBOXLAKE_LAKE: 's3://' },
    says: /INBOXLAKE_LAKE .*not a valid bucket name/,
  },
  {
    name: 'a range wholly older than the API keeps',
    args: ['collect', 'socketlabs', '--from', '2025-01-01', '--to', '2025-01-05'],
    env: socketlabs,
    says: /2025-01-01 → 2025-01-05 is wholly older than the API keeps \(90 days/,
  },
  {
    name: 'a range wholly in the future',
    args: ['collect', 'socketlabs', '--from', day(30), '--to', day(31)],
    env: socketlabs,
    says: /is wholly in the future/,
  },
  {
    name: 'an API URL with user:password@',
    args: collect,
    env: { ...socketlabs, SOCKETLABS_API_URL: `http://exit-user:url-Pa55word@127.0.0.1:9/v1` },
    says: /SOCKETLABS_API_URL must not carry user:password@/,
    secret: 'url-Pa55word',
  },
  {
    name: 'an API URL that is not http(s)',
    args: collect,
    env: { ...socketlabs, SOCKETLABS_API_URL: 'ftp://127.0.0.1:9/v1' },
    says: /SOCKETLABS_API_URL must be an http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'an API key with a character outside Latin-1',
    args: collect,
    env: { ...socketlabs, SOCKETLABS_API_KEY: 'k€y-outside-latin1' },
    says: /SOCKETLABS_API_KEY contains a character outside Latin-1/,
    secret: 'k€y-outside-latin1',
  },
  {
    name: 'an API key with a control character',
    args: collect,
    env: { ...socketlabs, SOCKETLABS_API_KEY: 'key-with\u0001Zx9q' },
    says: /SOCKETLABS_API_KEY contains a control character/,
    secret: 'key-with',
  },
  {
    name: 'a re-read schedule whose delays do not increase',
    args: collect,
    env: { ...socketlabs, INBOXLAKE_REREAD_AFTER: '6h,1h' },
    says: /INBOXLAKE_REREAD_AFTER delays must increase/,
  },
  {
    name: 'a misspelt alert threshold',
    args: ['alerts'],
    env: { INBOXLAKE_ALERT_THRESHOLDS: '{"blockMinCuont": 30}' },
    says: /INBOXLAKE_ALERT_THRESHOLDS: unknown threshold 'blockMinCuont'/,
  },
  {
    name: 'the retired INBOXLAKE_TRAILING_DAYS (refused, not ignored)',
    args: collect,
    env: { ...socketlabs, INBOXLAKE_TRAILING_DAYS: '3' },
    says: /INBOXLAKE_TRAILING_DAYS is replaced by INBOXLAKE_REREAD_AFTER/,
  },
  {
    name: 'a SendSage URL with user:password@',
    args: ['collect', 'sendsage', '--days', '1'],
    env: { ...sendsage, SENDSAGE_API_URL: 'http://u:pw-exit-code@127.0.0.1:9/api.php' },
    says: /SENDSAGE_API_URL must not carry user:password@/,
    secret: 'pw-exit-code',
  },
  {
    name: 'a SendSage password with a newline inside',
    args: ['collect', 'sendsage', '--days', '1'],
    env: { ...sendsage, SENDSAGE_PASSWORD: 'pw-line-one\npw-line-two' },
    says: /SENDSAGE_PASSWORD contains a control character/,
    secret: 'pw-line',
  },
];

describe('the CLI refuses what can never work: exit 2, one line naming the flag or variable', () => {
  it.each(cases)('$name', async (c) => {
    const started = Date.now();
    const res = await runCli(c.args, {
      INBOXLAKE_LAKE: await scratch('exit-lake'),
      INBOXLAKE_TMP: await scratch('exit-tmp'),
      ...c.env,
    });
    expect(res.code, res.stderr).toBe(2);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines, res.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^inboxlake: /);
    expect(lines[0]).not.toMatch(/unexpected error/);
    expect(lines[0]).toMatch(c.says);
    if (c.secret) expect(res.stdout + res.stderr).not.toContain(c.secret);
    // Refused at start: no request, no retry (a child process with tsx takes a second or two to start).
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
