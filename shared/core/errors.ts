/**
 * Named errors. Transient ones may be retried; terminal ones stop the work they belong to. None carries a secret or
 * a URL with credentials: messages are built from redacted parts only.
 */
export class InboxlakeError extends Error {
  override name = 'InboxlakeError';
  /** Whether retrying the same request may succeed. */
  readonly transient: boolean = false;
}

/** The API answered in a way that may succeed on retry: 5xx, reset, timeout, cut or non-JSON body. */
export class TransientApiError extends InboxlakeError {
  override name = 'TransientApiError';
  override readonly transient = true;
}

/** 429: the API asks us to slow down; retryAfterMs is its Retry-After header, when sent. */
export class RateLimitedError extends TransientApiError {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/** 401/403: credentials are wrong or lack access; retrying cannot help. */
export class AuthenticationError extends InboxlakeError {
  override name = 'AuthenticationError';
}

/** Any other 4xx: the request is wrong; the message is the API's own. */
export class ApiRequestError extends InboxlakeError {
  override name = 'ApiRequestError';
  constructor(
    message: string,
    readonly status: number,
    /** The raw error body, for sources that recognise specific error types (never logged as is). */
    readonly body = '',
  ) {
    super(message);
  }
}

/** What was read of a window can no longer be trusted: the window must be read again from its first page. */
export class RereadWindowError extends TransientApiError {
  override name = 'RereadWindowError';
}

/** The result set changed size while we paged through it, so later offsets shifted. */
export class TotalChangedError extends RereadWindowError {
  override name = 'TotalChangedError';
}

/** A streamed page (CSV download) ended early or mid-row; rows of it may already be in the window's files. */
export class StreamCutError extends RereadWindowError {
  override name = 'StreamCutError';
}

/** The API refuses dates outside the account's reporting history (a plan limit); the window is skipped. */
export class OutsideHistoryError extends InboxlakeError {
  override name = 'OutsideHistoryError';
}

/** A state document (checkpoint, item state) that cannot be read back; the message names its key. */
export class CorruptStateError extends InboxlakeError {
  override name = 'CorruptStateError';
}

/** The run's deadline or abort signal stopped the work before it finished. */
export class DeadlineError extends InboxlakeError {
  override name = 'DeadlineError';
}

/** Configuration is missing or invalid; the message names the variable. */
export class ConfigError extends InboxlakeError {
  override name = 'ConfigError';
}

/** A date range that cannot be collected: reversed, wholly in the future, or wholly older than the API keeps. */
export class DateRangeError extends ConfigError {
  override name = 'DateRangeError';
}
