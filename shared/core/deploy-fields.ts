import * as z from 'zod';

/**
 * Field schemas of the deployment config (cdk.json's `inboxlake` object) that every source's part of it uses: the
 * stack (infra/config.ts) composes the whole from them and from each source's own part (shared/sources/<api>).
 */

export const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,23}$/, 'expected a slug: lower-case letters, digits and hyphens, 1-24 characters');

/**
 * A secret name, referenced (not created) by the stack. Names ending in a hyphen and six characters are refused:
 * the functions receive a partial ARN, which Secrets Manager could match against another secret's random suffix.
 */
export const secretName = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'expected a Secrets Manager secret name (letters, digits, /_+=.@-)')
  .refine((s) => !/-[A-Za-z0-9]{6}$/.test(s), 'must not end in a hyphen followed by six characters');

/** EventBridge Scheduler expressions: `cron(min hour day-of-month month day-of-week year)` or `rate(n unit)`. */
export const schedule = z
  .string()
  .trim()
  .regex(
    /^(cron\((\S+\s+){5}\S+\)|rate\(\s*[1-9]\d*\s+(minute|minutes|hour|hours|day|days)\s*\))$/,
    'expected an EventBridge Scheduler expression: cron(m h dom mon dow year) or rate(n minutes|hours|days)',
  );

/**
 * A deployed API URL: https only (the key or password travels with every request, so never in clear over the
 * internet) and no `user:password@` (credentials live in the secret, never in the synthesized template).
 */
export const httpsApiUrl = z
  .url({ protocol: /^https$/, error: 'expected an https:// URL (credentials travel with every request)' })
  .refine((u) => {
    const url = new URL(u);
    return url.username === '' && url.password === '';
  }, 'must not carry user:password@ (credentials belong in the secret)');
