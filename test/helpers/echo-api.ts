import type { IncomingMessage } from 'node:http';
import { LoopbackServer } from '../../shared/sandbox/loopback-server';

/**
 * A hostile API on loopback: every answer is an error whose body quotes back every credential the request carried —
 * the Authorization header as sent, the Basic token decoded, the query string, the raw form body and each form field
 * decoded — so a test can prove that no form of a secret reaches any output. Any path and method are accepted, so it
 * stands in for the v1, v2 and SendSage APIs alike.
 */
export type EchoAnswer = 400 | 401 | 500 | 'success0';

export interface EchoApi {
  readonly url: string;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * Starts the echo API; `answers` are given in order, one per request, the last one repeated. `success0` is SendSage's
 * login refusal on HTTP 200 (`{"success":0,"error":"login failed …"}`).
 */
export async function startEchoApi(answers: readonly EchoAnswer[]): Promise<EchoApi> {
  const server = new LoopbackServer();
  let requests = 0;
  const url = await server.listen(async (req, res) => {
    const body = await readBody(req);
    const answer = answers[Math.min(requests, answers.length - 1)] ?? 500;
    requests++;
    const echo = describeCredentials(req, body);
    if (answer === 'success0') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: 0, error: `login failed, ${echo}` }));
      return;
    }
    // The shape every API uses for its message, the v2 error list as well, so each client finds the echo.
    res.writeHead(answer, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `request refused, ${echo}`, errors: [{ errorType: 'Echo', message: echo }] }));
  });
  return {
    url,
    get requests() {
      return requests;
    },
    close: () => server.close(),
  };
}

/**
 * Everything secret-bearing in a request, quoted back twice: whole near the start, then again from where a message
 * shortened to 300 characters is cut, so a secret also straddles the cut (shortening before redacting leaks its head).
 */
function describeCredentials(req: IncomingMessage, body: string): string {
  const authorization = String(req.headers.authorization ?? '');
  const basic = /^Basic\s+(\S+)/i.exec(authorization)?.[1];
  const fields = new URLSearchParams(body);
  const items = [
    authorization && `authorization=${authorization}`,
    basic && `basic-decoded=${Buffer.from(basic, 'base64').toString('utf8')}`,
    fields.has('password') && `password=${fields.get('password')}`,
    body && `body=${body}`,
  ].filter(Boolean);
  const once = items.join('; ');
  const pad = 'x'.repeat(Math.max(0, CUT - once.length));
  const query = new URL(req.url ?? '/', 'http://x').search;
  return `${once}; ${pad}${once}; query=${query}`;
}

/** Where the second copy starts: a little before 300, after the few words the API and the client put first. */
const CUT = 270;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
