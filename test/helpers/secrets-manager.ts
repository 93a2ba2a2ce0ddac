import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { LoopbackServer } from '../../shared/sandbox/loopback-server';
import { readBody } from './http';

/**
 * A tiny Secrets Manager on loopback speaking the service's JSON 1.1 protocol, so the real SDK client runs in tests:
 * POST with `X-Amz-Target: secretsmanager.GetSecretValue` and `{"SecretId"}` (an ARN or a name, as the service
 * accepts), answered with `{ARN, Name, SecretString, VersionId, VersionStages, CreatedDate}`; an unknown id gets the
 * service's 400 ResourceNotFoundException. Signatures are not checked.
 */
export interface LocalSecretsManager {
  readonly endpoint: string;
  /** Stores (or replaces) a secret; returns its ARN. */
  put(name: string, value: string): string;
  /** The ARN the fake gives a secret name (stable per name, with the service's random-looking suffix). */
  arnOf(name: string): string;
  /** GetSecretValue calls answered so far (found or not). */
  readonly reads: readonly string[];
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';

/** Starts the fake; `region` only shapes the ARNs it hands out. */
export async function startLocalSecretsManager(
  initial: Record<string, string> = {},
  region = 'us-east-1',
): Promise<LocalSecretsManager> {
  const secrets = new Map<string, { arn: string; value: string; versionId: string; created: number }>();
  const reads: string[] = [];
  const arnOf = (name: string) => `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${suffix(name)}`;
  const put = (name: string, value: string) => {
    const arn = arnOf(name);
    secrets.set(name, { arn, value, versionId: randomUUID(), created: Date.now() / 1000 });
    return arn;
  };
  for (const [name, value] of Object.entries(initial)) put(name, value);

  const find = (id: string) => {
    for (const [name, s] of secrets) {
      // The service takes the full ARN, the ARN without its 6-character suffix, or the name.
      if (id === name || id === s.arn || id === s.arn.slice(0, -7)) return { name, ...s };
    }
    return undefined;
  };

  const server = new LoopbackServer();
  const endpoint = await server.listen(async (req, res) => {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      return fail(res, 'UnknownOperationException', `operation ${target || '(none)'} is not supported by this fake`);
    }
    let input: { SecretId?: unknown };
    try {
      input = JSON.parse(body) as { SecretId?: unknown };
    } catch {
      return fail(res, 'SerializationException', 'the request body is not JSON');
    }
    if (typeof input.SecretId !== 'string' || input.SecretId === '') {
      return fail(
        res,
        'ValidationException',
        "1 validation error detected: Value at 'secretId' failed to satisfy constraint",
      );
    }
    reads.push(input.SecretId);
    const secret = find(input.SecretId);
    if (!secret) return fail(res, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    send(res, 200, {
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.created,
    });
  });

  return {
    endpoint,
    put,
    arnOf,
    reads,
    close: () => server.close(),
  };
}

/** Six characters derived from the name, like the random suffix the service appends to every secret's ARN. */
function suffix(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 6);
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

/** Errors as the service sends them: status 400, `__type` in the body and the x-amzn-ErrorType header. */
function fail(res: ServerResponse, type: string, message: string): void {
  send(res, 400, { __type: type, message }, type);
}
