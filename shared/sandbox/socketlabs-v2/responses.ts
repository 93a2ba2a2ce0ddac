/**
 * How the v2 simulator writes a response: bodies with their length, the API's JSON errors, Retry-After headers, the
 * 5xx pages of a failing gateway, and the `{ data, total }` JSON body with its faults. Apart from the answers (what
 * to say) and from the CSV download renderer (which streams).
 */
import type { ServerResponse } from 'node:http';
import { Rng } from '../random';
import type { JsonAnswer } from './answers';
import { extraItemFields, recaseKeys, recaseMode, type V2FaultDecision } from './faults';
import type { V2Item } from './model';
import { errorBody } from './request';

export const JSON_TYPE = 'application/json; charset=utf-8';

export const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) => {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
};
export const sendError = (
  res: ServerResponse,
  status: number,
  errorType: string,
  message: string,
  headers: Record<string, string> = {},
) => send(res, status, { 'content-type': JSON_TYPE, ...headers }, errorBody(errorType, message));

export const retryHeaders = (waitMs: number, timeScale: number): Record<string, string> => ({
  'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
  // Whole seconds are far too coarse once the windows are scaled down; benches may read the precise wait.
  ...(timeScale !== 1 ? { 'retry-after-ms': String(Math.max(1, Math.ceil(waitMs))) } : {}),
});

export const sendServerError = (res: ServerResponse, variant: number) => {
  const rng = new Rng(variant);
  const status = rng.pick([500, 502, 503, 504]);
  if (rng.chance(0.5)) {
    return sendError(res, status, 'InternalServerError', 'An unexpected error occurred. Please try again later.');
  }
  const title = `${status} ${status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Temporarily Unavailable' : 'Gateway Time-out'}`;
  send(
    res,
    status,
    { 'content-type': 'text/html; charset=utf-8' },
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
  );
};

export const jsonBody = (answer: JsonAnswer, fault: V2FaultDecision | null): unknown => {
  const data: V2Item[] = [];
  for (let i = 0; i < answer.rows.count; i++) data.push(answer.rows.row(i));
  let body: Record<string, unknown> = { data, total: answer.rows.total };
  if (fault?.kind === 'extra-fields') {
    body = {
      ...body,
      data: data.map((item, i) => ({ ...item, ...extraItemFields(i, fault.variant) })),
      newField: 'x',
      apiVersion: '2.1-beta',
      links: { next: null, self: null },
    };
  }
  return fault?.kind === 'recase' ? recaseKeys(body, recaseMode(fault.variant)) : body;
};
