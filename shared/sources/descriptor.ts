import type * as z from 'zod';
import type { Clock } from '../core/clock';
import type { ApiCaller } from '../engine/api-caller';
import type { Dataset } from '../engine/collect';
import type { ItemDataset } from '../engine/collect-items';
import type { RateBudget } from '../engine/rate-budget';
import type { RereadPolicy } from '../engine/reread-schedule';
import type { DigestRoles } from '../lake/roles';
import type { TableDef } from '../lake/table';

/**
 * What a source is, in one value: its tables, settings, how it is collected, what the CLI, the Lambda handler, the
 * stack and the digest need to know of it. Each `shared/sources/<api>/index.ts` exports one; `shared/sources/index.ts`
 * lists them. Nothing above the sources names a source: the CLI, the handler, the infra and the digest read these.
 */

export type { DigestCounter, DigestRoles, RollupDims } from '../lake/roles';

export type Env = Record<string, string | undefined>;

/** What the app gives a source to build its client with: a caller over a rate budget, and run-wide helpers. */
export interface OpenContext {
  /** An API caller (retry, timeout, deadline, counters, redaction) spending `budget`. */
  readonly caller: (budget: RateBudget) => ApiCaller;
  /** A rate budget shared by every run of this process under the same name. */
  readonly budget: (name: string, perSecond: number) => RateBudget;
  readonly clock: Clock;
  /** The run's own scratch folder. */
  readonly tmpDir: string;
}

/** Windowed collection: day windows over a date range, split when full, checkpointed per window. */
export interface WindowedCollection<C> {
  readonly kind: 'windowed';
  /** How far back the API keeps data; older days are skipped with a warning. */
  readonly retentionDays: number;
  /** Its dataset names (`--datasets`); a request without any collects them all. */
  readonly datasetNames: readonly string[];
  readonly open: (
    config: C,
    request: { readonly datasets: readonly string[]; readonly serverIds?: readonly number[] },
    ctx: OpenContext,
  ) => {
    readonly datasets: Dataset[];
    /** The rate the windows' planning assumes (the engine sizes windows by it). */
    readonly requestsPerSecond: number;
    readonly maxRowsPerWindow: number;
    /** When a scheduled run reads a window again (late events settle); a backfill reads what it is asked. */
    readonly reread: RereadPolicy;
  };
}

/** List-then-detail collection: list items, fetch each once it is complete, remember what was collected. */
export interface ItemCollection<C> {
  readonly kind: 'items';
  readonly open: (
    config: C,
    request: { readonly days: number },
    ctx: OpenContext,
  ) => { readonly datasets: ItemDataset<unknown>[]; readonly concurrency: number };
}

export type Collection<C> = WindowedCollection<C> | ItemCollection<C>;

/** What a windowed collection is asked for: inclusive UTC dates, optionally some datasets or servers. */
export interface WindowedRequest {
  readonly from: string;
  readonly to: string;
  /** A scheduled run: of the range, only the windows the re-read schedule has due. Else a backfill. */
  readonly scheduled?: boolean;
  readonly datasets?: readonly string[];
  readonly serverIds?: readonly number[];
}

/** What an item collection is asked for: the days of items to list. */
export interface ItemRequest {
  readonly days: number;
}

/** One collector the stack deploys for a source: a function, its loop and schedule. */
export interface DeployedCollector {
  /** Construct id (keeps logical ids stable): `SocketLabs-main`, `SendSage`. */
  readonly id: string;
  /** Names the alarms and the backfill output: `socketlabs-main`, `sendsage`. */
  readonly label: string;
  /** INBOXLAKE_ACCOUNT, the metrics' Account dimension. */
  readonly account: string;
  /** The descriptor (generation) whose tables and state the collector writes. */
  readonly source: string;
  readonly description: string;
  readonly schedule: string;
  readonly secretName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly ephemeralStorageMiB?: number;
  /** Values the Glue tables' non-date partition keys are projected over (server ids). */
  readonly partitionValues?: Readonly<Record<string, readonly number[]>>;
}

/** A simulator on loopback that `inboxlake start` collects from when no credentials are set. */
export interface Sandbox {
  /** Said before the collection: which simulator, where. */
  readonly banner: string;
  /** The environment that points the command at the simulator (credentials included). */
  readonly env: Env;
  /** Lines printed after a collection into a local lake (query examples). */
  readonly hints: (lakeDir: string) => readonly string[];
  close(): Promise<void>;
}

/**
 * The settings a CLI command, a function and the stack share. Generations of one API (SocketLabs v1 and v2) share
 * one command: `inboxlake collect socketlabs`, one config, one secret, one cdk.json key; the config picks the
 * generation (see `SourceDescriptor.serves`).
 */
// Registries hold sources of different config types; `any` here is what lets one list hold them (each source is
// checked against its own config type where it is defined).
// biome-ignore lint/suspicious/noExplicitAny: see above
export interface SourceCommand<C = any, A = any> {
  /** `inboxlake collect <name>`, function `collect-<name>`, the metrics' Source dimension, cdk.json's key. */
  readonly name: string;
  /** How people call the API: `SocketLabs`, `SendSage Monitor`. */
  readonly title: string;
  /** The variables it reads (`SOCKETLABS_*`); the config type is inferred from it. */
  readonly configSchema: z.ZodObject;
  /** Parses the environment with `configSchema` (the CLI, a function); every error names the variable. */
  readonly loadConfig: (env: Env) => C;
  /** Whether the environment carries credentials (else `inboxlake start` uses the simulator). */
  readonly hasCredentials: (env: Env) => boolean;
  /** Values to mask wherever text could carry them. */
  readonly secretsOf: (config: C) => readonly string[];
  readonly timeoutMs: (config: C) => number;
  /** On AWS the credentials come from a JSON secret the variable names; `fields` maps variables to its fields. */
  readonly secret: {
    readonly arnVariable: string;
    readonly schema: z.ZodObject;
    readonly fields: Readonly<Record<string, string>>;
  };
  readonly cli: {
    /** Its lines in `inboxlake --help`. */
    readonly usage: string;
    /** parseArgs options it reads (flags of other commands are ignored, as parseArgs knows them all). */
    readonly options: Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;
    /** Flags → arguments, checked before the config is read; a ConfigError names the flag at fault. */
    readonly parse: (values: Record<string, unknown>) => A;
    /** Arguments → request (defaults from the config, e.g. its re-read schedule). */
    readonly request: (args: A, config: C, now: number) => WindowedRequest | ItemRequest;
    /** The line printed before a collection. */
    readonly header: (config: C, request: WindowedRequest & ItemRequest, location: string) => string;
  };
  readonly lambda: {
    /** What a schedule or an operator may put in the event. */
    readonly eventSchema: z.ZodType;
    readonly request: (event: never, config: C, now: number) => WindowedRequest | ItemRequest;
    /** Time kept back from the Lambda deadline to finish the work in hand and report. */
    readonly reserveMs: number;
  };
  readonly start: {
    /** Said when credentials are found; the request then collects from the real API. */
    readonly real: string;
    readonly request: (now: number) => WindowedRequest | ItemRequest;
    readonly sandbox: SandboxStart;
  };
  readonly deploy: {
    /** Its value under cdk.json's `inboxlake` object; absent means not deployed. */
    readonly schema: z.ZodType;
    /** The collectors a parsed value deploys (none when the value is empty). */
    readonly collectors: (value: never) => readonly DeployedCollector[];
    /** Default hours without a landed row before a collector counts as quiet (cdk.json `noDataHours.<name>`). */
    readonly noDataHours: number;
  };
}

// biome-ignore lint/suspicious/noExplicitAny: as SourceCommand
export interface SourceDescriptor<C = any> {
  /** The name its checkpoints, leases and item states are kept under, and the digest names: `socketlabs-v2`. */
  readonly name: string;
  readonly command: SourceCommand<C>;
  /** For a command with generations: whether this one serves a config (SocketLabs: the URL's /v1 or /v2). */
  readonly serves?: (config: C) => boolean;
  readonly tables: readonly TableDef[];
  readonly digest: DigestRoles;
  readonly collection: Collection<C>;
}

/** Starts a source's simulator for `inboxlake start` and says how to point the source at it. */
export type SandboxStart = (env: Env, now: number) => Promise<Sandbox>;

/**
 * Starts the simulator of `shared/sandbox/start/<name>.ts` for `inboxlake start`. The specifier is computed, so
 * bundlers leave the import alone and the simulators stay out of the Lambda bundles (only the CLI, which runs the
 * sources as they are, loads them); and no source imports the sandbox, which stands above the sources.
 */
export async function startSandbox(name: string, env: Env, now: number): Promise<Sandbox> {
  const url = new URL(`../sandbox/start/${name}.ts`, import.meta.url).href;
  const module = (await import(/* @vite-ignore */ url)) as { startSandbox: SandboxStart };
  return module.startSandbox(env, now);
}
