import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { loadSecretsConfig, type SecretsConfig } from '../config';
import { AuthenticationError, ConfigError, InboxlakeError } from '../core/errors';
import { createRedactor } from '../core/redact';
import type { SourceCommand } from '../sources/descriptor';

/**
 * Source credentials from AWS Secrets Manager. On AWS the stack gives each collector a secret's ARN instead of the
 * credentials themselves; the secret is read on the function's first invocation and kept for the container's life.
 * Without an ARN the credentials come from the environment as before (CLI, local runs).
 *
 * The SDK client is used directly rather than @middy/secrets-manager: the secret must be validated and merged into
 * the source's config before anything is built from it, and middy's prefetch would call the network while the
 * module loads (also when the bundle is merely imported) and hand back an unparsed string for a non-JSON secret.
 */

/** Reads a secret's string value by ARN or name. */
export type SecretReader = (secretId: string) => Promise<string>;

/** A secret could not be read (missing, no access, endpoint down); the message names the secret, never its value. */
export class SecretReadError extends InboxlakeError {
  override name = 'SecretReadError';
}

/** A reader backed by Secrets Manager's GetSecretValue; the client is built on the first read. */
export function secretsManagerReader(config: Pick<SecretsConfig, 'region' | 'endpoint'>): SecretReader {
  let client: SecretsManagerClient | undefined;
  return async (secretId) => {
    client ??= new SecretsManagerClient({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    });
    let secretString: string | undefined;
    try {
      secretString = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SecretReadError(`could not read secret ${secretId} (${reason})`, { cause: error });
    }
    if (secretString === undefined) {
      throw new SecretReadError(`secret ${secretId} has no string value (binary secrets are not supported)`);
    }
    return secretString;
  };
}

/** Reads a JSON secret and validates it; errors name the secret and the fields at fault, never a value. */
export async function readJsonSecret<S extends z.ZodType>(
  read: SecretReader,
  secretId: string,
  schema: S,
): Promise<z.output<S>> {
  const text = await read(secretId);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // No cause: JSON.parse's message quotes the text it failed on.
    throw new ConfigError(`secret ${secretId} is not valid JSON (expected an object such as ${exampleOf(schema)})`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  // zod's messages describe expectations, not input; the redactor is there in case a future message quotes a value.
  const redact = createRedactor([text, ...stringLeaves(json)]);
  const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(value)'}: ${i.message}`);
  throw new ConfigError(redact(`secret ${secretId} does not hold ${exampleOf(schema)}: ${problems.join('; ')}`));
}

/**
 * A source's config with the credentials from the secret its ARN variable names (SOCKETLABS_SECRET_ARN, …), or from
 * the environment when no secret is named. The secret's fields stand in for the variables they map to.
 */
export async function loadRuntimeConfig<C>(
  command: SourceCommand<C>,
  env: Record<string, string | undefined> = process.env,
  read?: SecretReader,
): Promise<C> {
  const settings = loadSecretsConfig(env);
  const arn = settings.secretArn(command.secret.arnVariable);
  if (!arn) return command.loadConfig(env);
  const secret = await readJsonSecret(read ?? secretsManagerReader(settings), arn, command.secret.schema);
  const fromSecret = Object.fromEntries(
    Object.entries(command.secret.fields).map(([variable, field]) => [
      variable,
      (secret as Record<string, string | undefined>)[field] ?? env[variable],
    ]),
  );
  return inSecretTerms(arn, command.secret.fields, () => command.loadConfig({ ...env, ...fromSecret }));
}

/**
 * Work done once per container, on first use (a Lambda's cold start, lazily so that a secret is fetched inside an
 * invocation, with its deadline and error reporting). A failure is not kept: the next invocation tries again.
 */
export function once<T>(init: () => Promise<T>): (() => Promise<T>) & { forget(): void } {
  let pending: Promise<T> | undefined;
  const get = () => {
    pending ??= init().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
  return Object.assign(get, {
    /** Drops the cached value, so the next call builds it again (e.g. after the API refused rotated credentials). */
    forget() {
      pending = undefined;
    },
  });
}

/**
 * Runs a collection with cached credentials; when the API refuses them, the cache is dropped, so the next invocation
 * reads the secret again and picks up a rotated key without waiting for a new container.
 */
export async function forgettingRefusedCredentials<T>(cache: { forget(): void }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AuthenticationError) cache.forget();
    throw error;
  }
}

/** A config error about a credential variable, restated in terms of the secret field that feeds it. */
function inSecretTerms<T>(arn: string, fields: Record<string, string>, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const named = Object.entries(fields).filter(([variable]) => error.message.includes(variable));
    if (!named.length) throw error;
    const where = named.map(([variable, field]) => `${variable} is read from the field "${field}"`).join(', ');
    throw new ConfigError(`${error.message} (${where} of secret ${arn})`, { cause: error });
  }
}

/** `{"apiKey": "…", "username": "…"}` for an object schema: the shape an operator must store. */
function exampleOf(schema: z.ZodType): string {
  if (!(schema instanceof z.ZodObject)) return 'JSON';
  return `{${Object.keys(schema.shape)
    .map((k) => `"${k}": "…"`)
    .join(', ')}}`;
}

function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringLeaves);
  return [];
}
