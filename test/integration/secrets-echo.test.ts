import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DAY_MS, utcDay } from '../../shared/core/windows';
import { runCli } from '../helpers/cli';
import { scratch } from '../helpers/collect';
import { type EchoAnswer, type EchoApi, startEchoApi } from '../helpers/echo-api';
import { type LocalSecretsManager, startLocalSecretsManager } from '../helpers/secrets-manager';

/**
 * Issue 11 point 3: an API that quotes back every credential it received, in 401, 400 and 500 bodies (and SendSage's
 * login refusal on HTTP 200), must not get any form of a secret into stdout, stderr, a thrown error, the lake or the
 * outbox — through the real CLI (child processes) and through each Lambda handler (in-process).
 *
 * The secrets hold the characters that make their encodings differ: a space (%20 in a URL, + in a form), / + = & "
 * and \ (escaped in JSON), é (Latin-1, two bytes in UTF-8) and, in the SendSage password sent in a form body, €.
 */
const SL_USER = 'echo-user';
const SL_KEY = `Ech0-K3y/+=!*'()~é $&"\\Zq9-v7W`;
const SS_USER = 'echo-sendsage';
const SS_PASSWORD = `Pa55 w0rd/+=&é€"\\!*'Xy-42rT`;

/** Every form a secret takes on the wire or in text, computed here independently of the code under test. */
function formsOf(secret: string, user: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(`${user}:${secret}`).toString('base64'),
  ];
}
const FORMS = [...formsOf(SL_KEY, SL_USER), ...formsOf(SS_PASSWORD, SS_USER)];

/** A secret cut short (a message shortened mid-secret) leaks its head: no 12 consecutive characters of any form. */
function leaks(text: string): string[] {
  const found = new Set<string>();
  for (const form of FORMS) {
    for (let i = 0; i + 12 <= form.length; i++) {
      const piece = form.slice(i, i + 12);
      if (text.includes(piece)) found.add(form);
    }
  }
  return [...found];
}

/** All text under a folder (lake, outbox), read as UTF-8 and as Latin-1 so no byte form hides. */
async function folderText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const parts: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const bytes = await readFile(join(e.parentPath, e.name));
    parts.push(`${e.name}\n${bytes.toString('utf8')}\n${bytes.toString('latin1')}`);
  }
  return parts.join('\n');
}

/** Everything a thrown error shows: message, stack and cause chain (as Lambda, util.inspect and JSON see it). */
function errorText(error: unknown): string {
  const parts = [inspect(error, { depth: 20 }), String(error)];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(e));
  }
  return parts.join('\n');
}

const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const FROM = utcDay(today - 3 * DAY_MS);
const TO = utcDay(today - 2 * DAY_MS);
/** Runs: a 500 (retried, its body in a log line) then a 401 (stops the run); a 400 (stops it with the API's words). */
const HTTP_ERRORS: EchoAnswer[][] = [[500, 401], [400]];

const socketlabsEnv = (api: EchoApi, generation: 'v1' | 'v2') => ({
  SOCKETLABS_API_URL: `${api.url}/${generation}`,
  SOCKETLABS_SERVER_IDS: '1234',
  SOCKETLABS_REQUESTS_PER_SECOND: '50',
  SOCKETLABS_RATE_SCALE: '100',
  SOCKETLABS_TIMEOUT_MS: '2000',
});
const sendsageEnv = (api: EchoApi) => ({
  SENDSAGE_API_URL: `${api.url}/api.php`,
  SENDSAGE_REQUESTS_PER_SECOND: '50',
  SENDSAGE_TIMEOUT_MS: '2000',
});

interface Source {
  readonly name: string;
  readonly runs: EchoAnswer[][];
  readonly args: string[];
  /** The source's settings (no credentials). */
  readonly env: (api: EchoApi) => Record<string, string>;
  /** Credentials as the CLI reads them from the environment. */
  readonly credentials: Record<string, string>;
  readonly handler: string;
  readonly event: Record<string, unknown>;
  /** Credentials as the stack stores them, in the secret the handler reads. */
  readonly secret: Record<string, string>;
  readonly arnVariable: string;
}

const sources: Source[] = [
  {
    name: 'SocketLabs v1 (Basic auth)',
    runs: HTTP_ERRORS,
    args: ['collect', 'socketlabs', '--from', FROM, '--to', TO, '--datasets', 'failed'],
    env: (api) => socketlabsEnv(api, 'v1'),
    credentials: { SOCKETLABS_USERNAME: SL_USER, SOCKETLABS_API_KEY: SL_KEY },
    handler: '../../functions/collect/handler',
    event: { from: FROM, to: TO, datasets: ['failed'] },
    secret: { apiKey: SL_KEY, username: SL_USER },
    arnVariable: 'SOCKETLABS_SECRET_ARN',
  },
  {
    name: 'SocketLabs v2 (Bearer key)',
    runs: HTTP_ERRORS,
    args: ['collect', 'socketlabs', '--from', FROM, '--to', TO, '--datasets', 'messages'],
    env: (api) => socketlabsEnv(api, 'v2'),
    credentials: { SOCKETLABS_API_KEY: SL_KEY },
    handler: '../../functions/collect/handler',
    event: { from: FROM, to: TO, datasets: ['messages'] },
    secret: { apiKey: SL_KEY },
    arnVariable: 'SOCKETLABS_SECRET_ARN',
  },
  {
    name: 'SendSage (password in a form body)',
    // SendSage also refuses a login with HTTP 200 and `success: 0`.
    runs: [...HTTP_ERRORS, ['success0']],
    args: ['collect', 'sendsage', '--days', '2'],
    env: sendsageEnv,
    credentials: { SENDSAGE_USERNAME: SS_USER, SENDSAGE_PASSWORD: SS_PASSWORD },
    handler: '../../functions/collect/handler',
    event: { days: 2 },
    secret: { username: SS_USER, password: SS_PASSWORD },
    arnVariable: 'SENDSAGE_SECRET_ARN',
  },
];
const cases = sources.flatMap((source) => source.runs.map((answers) => ({ ...source, answers })));
const label = (c: (typeof cases)[number]) => `${c.name}, answers ${c.answers.join(' then ')}`;
/** What the run must have reported, so the test never passes on silence. */
// A 401 stops the run; a 400 fails only its windows or items (the run goes on and reports them as failed).
const refused = /answered (400|401)|authentication failed|(windows|items) failed/;
const echoed = /authorization=|password=|body=/;

describe('an API that echoes every credential it received', () => {
  describe('through the CLI', () => {
    for (const c of cases) {
      it(`${label(c)}: no form of a secret in stdout, stderr, the lake or the outbox`, async () => {
        const api = await startEchoApi(c.answers);
        try {
          const lake = await scratch('echo-lake');
          const env = {
            ...c.env(api),
            ...c.credentials,
            INBOXLAKE_LAKE: lake,
            INBOXLAKE_TMP: await scratch('echo-tmp'),
          };
          const res = await runCli(c.args, env);
          // The run did meet the echoing API and reported it: the test is not passing on silence.
          expect(api.requests).toBeGreaterThan(0);
          expect(res.code).toBe(1);
          expect(res.stdout + res.stderr).toMatch(refused);
          expect(res.stdout + res.stderr).toMatch(echoed);
          expect(leaks(res.stdout), 'stdout').toEqual([]);
          expect(leaks(res.stderr), 'stderr').toEqual([]);

          const outbox = await scratch('echo-outbox');
          const digest = await runCli(['digest', '--date', TO, '--out', outbox], { ...env });
          expect(digest.code, digest.stderr).toBe(0);
          expect(leaks(digest.stdout + digest.stderr), 'digest output').toEqual([]);
          expect(leaks(await folderText(lake)), 'lake').toEqual([]);
          expect(leaks(await folderText(outbox)), 'outbox').toEqual([]);
        } finally {
          await api.close();
        }
      });
    }
  });

  describe('through each Lambda handler, credentials from Secrets Manager', () => {
    let sm: LocalSecretsManager;
    const written: string[] = [];
    beforeAll(async () => {
      sm = await startLocalSecretsManager();
      for (const stream of [process.stdout, process.stderr]) {
        vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
          written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
          return true;
        });
      }
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      await sm.close();
    });

    type Handler = (event: unknown, context: Context) => Promise<unknown>;
    const context = { getRemainingTimeInMillis: () => 600_000, awsRequestId: 'echo' } as unknown as Context;

    /** A cold start of the handler module with exactly `env` (credentials only through the secret). */
    async function coldStart(path: string, env: Record<string, string | undefined>): Promise<Handler> {
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      vi.resetModules();
      return (await import(path)).handler as Handler;
    }

    for (const h of cases) {
      it(`${label(h)}: no form of a secret in the thrown error, the log lines or the lake`, async () => {
        const api = await startEchoApi(h.answers);
        try {
          const lake = await scratch('echo-lambda-lake');
          const arn = sm.put(`inboxlake/echo/${label(h).replace(/\W+/g, '-')}`, JSON.stringify(h.secret));
          const handler = await coldStart(h.handler, {
            ...h.env(api),
            // The one collector handler serves the source the stack names (`collect <source>` in the CLI).
            INBOXLAKE_SOURCE: h.args[1],
            SOCKETLABS_API_KEY: undefined,
            SOCKETLABS_USERNAME: undefined,
            SENDSAGE_USERNAME: undefined,
            SENDSAGE_PASSWORD: undefined,
            [h.arnVariable]: arn,
            INBOXLAKE_SECRETS_ENDPOINT: sm.endpoint,
            INBOXLAKE_LAKE: lake,
            INBOXLAKE_TMP: await scratch('echo-lambda-tmp'),
            AWS_ACCESS_KEY_ID: 'fake',
            AWS_SECRET_ACCESS_KEY: 'fake',
            AWS_REGION: 'us-east-1',
          });
          written.length = 0;
          const error = await handler(h.event, context).then(
            () => null,
            (e: unknown) => e,
          );
          expect(api.requests).toBeGreaterThan(0);
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(refused);
          // A 400 fails only its windows: the handler then throws the run's summary, which carries no API body at all.
          if (!/(windows|items) failed/.test((error as Error).message)) expect(errorText(error)).toMatch(echoed);
          expect(leaks(errorText(error)), 'thrown error').toEqual([]);
          expect(leaks(written.join('')), 'log lines').toEqual([]);
          expect(leaks(await folderText(lake)), 'lake').toEqual([]);
        } finally {
          await api.close();
        }
      });
    }
  });
});
