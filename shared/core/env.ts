import * as z from 'zod';
import { ConfigError } from './errors';

/**
 * Reading configuration from the environment, for every door (CLI, Lambda) and every source's own settings
 * (shared/sources/<api>/config.ts): parsed once with zod, every error naming the variable, never its value.
 */

export const positiveIntList = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, 'expected a comma-separated list of numeric server ids, e.g. 1234,5678')
  .transform((s) => [...new Set(s.split(',').map((x) => Number(x.trim())))]);

/**
 * An API base URL. Only http(s) (fetch can reach nothing else) and no `user:password@`: fetch refuses such a URL on
 * every attempt, and credentials have variables of their own. Messages never quote the value.
 */
export const apiUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine((u) => {
      const url = new URL(u);
      return url.username === '' && url.password === '';
    }, 'must not carry user:password@ (the credentials have their own variables)')
    .default(fallback);

/** Control characters in a credential are paste accidents (a newline, a tab); no API issues credentials with them. */
export const noControlCharacters = (s: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(s);
/** A value sent in an HTTP header must be Latin-1: fetch refuses anything else, on every attempt. */
export const latin1 = (s: string) => /^[\u0000-\u00ff]*$/.test(s);
export const controlMessage = 'contains a control character';

/** Parses the variables a schema names; empty strings count as unset. A ConfigError lists every problem. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  // Empty strings count as unset, as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? '(environment)');
    const problem = i.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : i.message;
    return `${name} ${problem}`;
  });
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}
