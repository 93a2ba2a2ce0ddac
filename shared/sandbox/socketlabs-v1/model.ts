/**
 * The shapes of a simulated SocketLabs v1 account: its datasets and the API methods serving them, the record type,
 * the volume profile's signature, the generator's options and the default ratios between datasets. Apart so that the
 * builders, the store and the server depend on the shapes, not on one another.
 */
import type { BlockIncident } from '../block-incident';

export type V1Dataset = 'failed' | 'queued' | 'processed' | 'complaints' | 'engagement';
export type V1Method =
  | 'messagesFailed'
  | 'messagesQueued'
  | 'messagesProcessed'
  | 'messagesFblReported'
  | 'messagesOpenClick';

/** Every message dataset, in the order the guide documents the methods. */
export const v1Datasets: readonly V1Dataset[] = ['failed', 'queued', 'processed', 'complaints', 'engagement'];

/** API method (URL path segment under /v1) serving each dataset. */
export const v1DatasetMethods: Readonly<Record<V1Dataset, V1Method>> = {
  failed: 'messagesFailed',
  queued: 'messagesQueued',
  processed: 'messagesProcessed',
  complaints: 'messagesFblReported',
  engagement: 'messagesOpenClick',
};

/** Dataset served by each API method. */
export const v1MethodDatasets: Readonly<Record<V1Method, V1Dataset>> = {
  messagesFailed: 'failed',
  messagesQueued: 'queued',
  messagesProcessed: 'processed',
  messagesFblReported: 'complaints',
  messagesOpenClick: 'engagement',
};

/** One API item: PascalCase keys, DateTime as canonical UTC (`2026-11-20T13:02:56Z`). */
export type V1Record = Record<string, unknown>;

/** Number of records of a dataset on a UTC date (`YYYY-MM-DD`) for a server. */
export type V1Profile = (dataset: V1Dataset, date: string, serverId: number) => number;

export interface V1DataOptions {
  readonly seed: number;
  readonly serverIds: readonly number[];
  /** First UTC date, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  /** Last UTC date, inclusive (`YYYY-MM-DD`). */
  readonly to: string;
  readonly profile?: V1Profile;
  /** Ratios of the default profile (ignored with `profile`); unset ones keep `defaultV1Ratios`. */
  readonly ratios?: Partial<V1Ratios>;
  /** A block planted in the data: the server's queued mail to the domain within it also fails with the code. */
  readonly incident?: BlockIncident;
}

/**
 * Records of the other datasets per queued message in the default profile: each (dataset, server, day) draws its ratio
 * uniformly from [min, max].
 */
export interface V1Ratios {
  readonly processed: readonly [number, number];
  readonly failed: readonly [number, number];
  readonly complaints: readonly [number, number];
  readonly engagement: readonly [number, number];
}

/**
 * What a healthy sender sees: 0.8–2.5 % of messages fail (a few of those are suppressions, not bounces), about 1 in
 * 3,000 draws a complaint (Gmail and Yahoo ask bulk senders to stay under 1 in 1,000).
 */
export const defaultV1Ratios: V1Ratios = {
  processed: [0.95, 0.99],
  failed: [0.008, 0.025],
  complaints: [0.0001, 0.0006],
  engagement: [0.1, 0.3],
};
