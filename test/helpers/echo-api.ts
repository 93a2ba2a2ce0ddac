import type { IncomingMessage } from 'node:http';
import { LoopbackServer } from '../../shared/sandbox/loopback-server';
import { readBody } from './http';

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
    if (answer === 'success0') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: 0, error: echoCredentials('login failed, ', req, body) }));
      return;
    }
    // The shape every API uses for its message, the v2 error list as well, so each client finds the echo.
    const message = echoCredentials('request refused, ', req, body);
    res.writeHead(answer, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message, errors: [{ errorType: 'Echo', message }] }));
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
 * `lead` and everything secret-bearing in a request, quoted back twice: whole, then the bare values again from
 * character CUT on, so the first value straddles the 300-character cut a client makes of an API's message (a message
 * shortened before it is redacted keeps the head of a secret, which no longer matches the secret).
 */
function echoCredentials(lead: string, req: IncomingMessage, body: string): string {
  const authorization = String(req.headers.authorization ?? '');
  const basic = /^Basic\s+(\S+)/i.exec(authorization)?.[1];
  const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
  const password = new URLSearchParams(body).get('password') ?? '';
  const labelled = [
    authorization && `authorization=${authorization}`,
    decoded && `basic-decoded=${decoded}`,
    password && `password=${password}`,
    body && `body=${body}`,
  ].filter(Boolean);
  const whole = `${lead}${labelled.join('; ')}; `;
  const pad = 'x'.repeat(Math.max(0, CUT - whole.length));
  const values = [authorization, decoded, password].filter(Boolean).join(' ');
  const query = new URL(req.url ?? '/', 'http://x').search;
  return `${whole}${pad}${values}; query=${query}`;
}

/** 20 characters before the cut: a head that long is caught by the tests' 12-character leak check. */
const CUT = 280;
