/**
 * The faults the SendSage simulator injects: their kinds and the seeded decision per request, and what each one
 * answers or does to an answer (re-cased keys, unknown fields, an Apache error page, a PHP warning before the JSON, a
 * maintenance page). Apart so that the server's loop reads only which fault applies, not how it looks.
 */
import { decideFault, type FaultDecision, type FaultOptions, renameKeysDeep } from '../faults';
import { Rng } from '../random';

export type SendSageFaultKind = '5xx' | 'truncated' | 'hang' | 'recase' | 'extra-fields' | 'success0' | 'non-json';

/** Every fault kind, e.g. for "inject anything" runs. */
export const sendSageFaultKinds: readonly SendSageFaultKind[] = [
  '5xx',
  'truncated',
  'hang',
  'recase',
  'extra-fields',
  'success0',
  'non-json',
];

export type SendSageFaultOptions = FaultOptions<SendSageFaultKind>;
export type SendSageFaultDecision = FaultDecision<SendSageFaultKind>;

/** The fault (or none) for the n-th request that passed the login; pure in (options, seed, sequence). */
export function decideSendSageFault(
  options: SendSageFaultOptions,
  seed: number,
  sequence: number,
): SendSageFaultDecision | null {
  return decideFault(options, seed, sequence, 'sendsage-faults');
}

export type RecaseMode = 'upper' | 'title' | 'camel';

function recaseKey(key: string, mode: RecaseMode): string {
  if (mode === 'upper') return key.toUpperCase();
  if (mode === 'title') return key.replace(/(^|_)([a-z])/g, (_, sep: string, ch: string) => sep + ch.toUpperCase());
  return key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** Re-cases every key except preview application ids, which are data that only look like keys. */
export function recase(body: unknown, mode: RecaseMode): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'applications' in body) {
    const apps = (body as { applications: Record<string, unknown> }).applications;
    return {
      [recaseKey('applications', mode)]: Object.fromEntries(
        Object.entries(apps).map(([id, app]) => [id, renameKeysDeep(app, (k) => recaseKey(k, mode))]),
      ),
    };
  }
  return renameKeysDeep(body, (k) => recaseKey(k, mode));
}

/** Adds fields the client does not know to the answer object (or to each item of a bare array). */
export function addExtraFields(body: unknown, variant: number): unknown {
  const rng = new Rng(variant);
  const extra = (i: number) => ({
    api_version: '2.4.1',
    ...(i % 2 === 0 ? { tags: ['beta', 'Ünïcödé'], _debug_ms: rng.int(1, 900) / 10 } : {}),
    region: rng.pick(['us-east', 'eu-west']),
  });
  if (Array.isArray(body)) {
    return body.map((item: unknown, i) =>
      item !== null && typeof item === 'object' ? { ...item, ...extra(i) } : item,
    );
  }
  if (body !== null && typeof body === 'object') {
    const out: Record<string, unknown> = { ...body, ...extra(0) };
    if (out.spamassassin !== null && typeof out.spamassassin === 'object') {
      out.spamassassin = { ...out.spamassassin, engine_host: 'hobbes.drh.net', bayes: rng.int(0, 99) / 100 };
    }
    return out;
  }
  return body;
}

export function serverErrorPage(variant: number): { status: number; body: string } {
  const rng = new Rng(variant);
  const status = rng.pick([500, 502, 503, 504]);
  const titles: Record<number, string> = {
    500: '500 Internal Server Error',
    502: '502 Proxy Error',
    503: '503 Service Unavailable',
    504: '504 Gateway Timeout',
  };
  const title = titles[status]!;
  return {
    status,
    body: `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${title}</title>\n</head><body>\n<h1>${title.slice(4)}</h1>\n<p>The server encountered an internal error or misconfiguration and was unable to complete your request.</p>\n<hr>\n<address>Apache/2.2.15 (CentOS) Server at monitor.drh.net Port 443</address>\n</body></html>\n`,
  };
}

// A PHP notice printed before the JSON is the classic way such an API stops answering JSON.
export const phpWarning =
  '<br />\n<b>Warning</b>:  mysql_connect(): Too many connections in <b>/var/www/monitor/api.php</b> on line <b>42</b><br />\n';

export const maintenancePage =
  '<!DOCTYPE html>\n<html><head><title>SendSage Monitor - Maintenance</title></head><body><h1>Down for maintenance</h1><p>SendSage Monitor is being upgraded and will be back shortly.</p></body></html>\n';
