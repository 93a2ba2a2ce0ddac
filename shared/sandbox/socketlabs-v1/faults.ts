/**
 * Fault injection for the v1 simulator: its fault kinds, the stage at which each acts, and the pure body
 * transformations. Which request gets which fault is decided by the shared ../faults.ts; the server does the I/O.
 */
import {
  decideFault as decideSharedFault,
  renameKeysDeep,
  type FaultDecision as SharedFaultDecision,
  type FaultOptions as SharedFaultOptions,
  validateFaultOptions as validateSharedFaultOptions,
} from '../faults';
import { Rng } from '../random';

export type FaultKind =
  | '5xx'
  | 'truncated'
  | 'hang'
  | 'recase'
  | 'extra-fields'
  | '429'
  | 'insert-between-pages'
  | 'offsets'
  | 'non-json';

/** Every fault kind, e.g. for "inject anything" runs. */
export const faultKinds: readonly FaultKind[] = [
  '5xx',
  'truncated',
  'hang',
  'recase',
  'extra-fields',
  '429',
  'insert-between-pages',
  'offsets',
  'non-json',
];

export type FaultOptions = SharedFaultOptions<FaultKind>;

/**
 * When a fault acts: `replace` answers instead of the real handler; `mutate` rewrites a successful JSON answer;
 * `after` acts once a successful page has been sent. Non-replacing faults on an answer that is not a success are
 * dropped (and not counted), since there is nothing for them to act on.
 */
export type FaultStage = 'replace' | 'mutate' | 'after';

const stages: Record<FaultKind, FaultStage> = {
  '5xx': 'replace',
  '429': 'replace',
  hang: 'replace',
  'non-json': 'replace',
  truncated: 'mutate',
  recase: 'mutate',
  'extra-fields': 'mutate',
  offsets: 'mutate',
  'insert-between-pages': 'after',
};

/** The stage at which a fault kind acts. */
export function faultStage(kind: FaultKind): FaultStage {
  return stages[kind];
}

export type FaultDecision = SharedFaultDecision<FaultKind>;

/** Checks fault options, throwing on an out-of-range probability or an unknown kind. */
export function validateFaultOptions(options: FaultOptions): void {
  validateSharedFaultOptions(options, faultKinds);
}

/** The fault (or none) for the n-th request that passed auth and the rate limit; pure in (options, seed, sequence). */
export function decideFault(options: FaultOptions, seed: number, sequence: number): FaultDecision | null {
  // The salt has been 'faults' since the first recorded runs; changing it would change every seeded replay.
  return decideSharedFault(options, seed, sequence, 'faults');
}

export interface CannedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const html = (title: string, text: string) =>
  `<!DOCTYPE html>\r\n<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\r\n`;

/** A 500, 502 or 503 with an HTML or JSON body, as load balancers and the app server produce them. */
export function serverErrorResponse(variant: number): CannedResponse {
  const rng = new Rng(variant);
  const status = rng.pick([500, 502, 503]);
  if (rng.chance(0.5)) {
    return {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ Message: 'An error has occurred.', ExceptionMessage: 'Timeout expired.', status }),
    };
  }
  const titles: Record<number, string> = {
    500: '500 - Internal server error.',
    502: '502 Bad Gateway',
    503: 'Service Unavailable',
  };
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: html(
      titles[status]!,
      'There is a problem with the resource you are looking for, and it cannot be displayed.',
    ),
  };
}

/** A 429 independent of the real bucket, with a Retry-After of 0 or 1 second. */
export function tooManyRequestsResponse(variant: number): CannedResponse {
  return {
    status: 429,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(variant & 1) },
    body: 'Too many requests. Please slow down.',
  };
}

/** A 200 whose body is an HTML maintenance page instead of JSON. */
export function maintenancePageResponse(): CannedResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: html('Down for maintenance', 'SocketLabs Email On-Demand is undergoing scheduled maintenance. Back soon!'),
  };
}

export type RecaseMode = 'lower' | 'upper' | 'camel';

/** Which key case a `recase` fault uses. */
export function recaseMode(variant: number): RecaseMode {
  return (['lower', 'upper', 'camel'] as const)[variant % 3]!;
}

function recaseKey(key: string, mode: RecaseMode): string {
  if (mode === 'lower') return key.toLowerCase();
  if (mode === 'upper') return key.toUpperCase();
  return key === key.toUpperCase() ? key.toLowerCase() : key.charAt(0).toLowerCase() + key.slice(1);
}

/** Re-cases every object key, deeply; values are left alone. */
export function recaseKeys(value: unknown, mode: RecaseMode): unknown {
  return renameKeysDeep(value, (key) => recaseKey(key, mode));
}

/**
 * Adds fields the client does not know to the envelope and to every item of its `collection`; the guide promises
 * such additions are backwards compatible, so the client must keep working (and the lake keeps them in `extra`).
 */
export function addExtraFields(envelope: Record<string, unknown>, variant: number): Record<string, unknown> {
  const rng = new Rng(variant);
  const collection = Array.isArray(envelope.collection) ? envelope.collection : null;
  const items = collection?.map((item: unknown, i: number) =>
    item !== null && typeof item === 'object'
      ? {
          ...item,
          Tracking: { Opens: rng.int(0, 5), Clicks: rng.int(0, 3), Source: 'api-v1' },
          NewField: 'x',
          ...(i % 2 === 0 ? { Tags: ['vip', 'Ünïcödé'], Score: rng.float(0, 1) } : {}),
        }
      : item,
  );
  return {
    ...envelope,
    NewField: 'x',
    apiVersion: '1.7-beta',
    links: { next: null, self: '/v1/?' },
    ...(items ? { collection: items } : {}),
  };
}

const offsetChoices = [-240, 330, -480, 60, 540, -210, 345, 840, -720];

/** A non-zero offset in minutes for an `offsets` fault, never equal to `avoid` (the request's own timeZone). */
export function faultOffsetMinutes(variant: number, avoid = 0): number {
  const start = variant % offsetChoices.length;
  for (let i = 0; i < offsetChoices.length; i++) {
    const o = offsetChoices[(start + i) % offsetChoices.length]!;
    if (o !== avoid) return o;
  }
  return -240;
}
