import pRetry from "p-retry";

/**
 * Retries for remote storage: exponential backoff with jitter on transient errors (network,
 * 5xx, throttling); never on authentication, permission, host-key or "not found" errors, which a
 * retry cannot fix and which would only delay the report.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (0: one attempt only). */
  retries: number;
  /** Delay before the first retry, in ms; doubled each time, randomized (jitter). */
  minDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, minDelayMs: 1_000, maxDelayMs: 30_000 };

const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "InternalError",
  "ServiceUnavailable",
  "NetworkingError",
]);

/** SFTP status codes (draft-ietf-secsh-filexfer): 6 no connection, 7 connection lost. */
const SFTP_TRANSIENT_STATUS = new Set([6, 7]);

/**
 * ssh2-sftp-client reports a connection that went away with a generic code and these messages
 * ("sftp: Unexpected end event", "No SFTP connection available"); matching them is the only way.
 */
const SFTP_CONNECTION_LOST = /unexpected (end|close) event|no sftp connection available|no response from server|connection lost/i;

/** ssh2's own message for requests cut off by a closed channel (protocol/SFTP.js cleanupRequests). */
const SSH2_PENDING_REQUEST_LOST = "No response from server";

/** An error a retry cannot fix, whatever it looks like (e.g. a host key mismatch). */
export class PermanentError extends Error {
  readonly permanent = true;
}

/** An error worth retrying, whatever it looks like (e.g. a remote copy that failed verification). */
export class TransientError extends Error {
  readonly transient = true;
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  errno?: unknown;
  level?: unknown;
  permanent?: unknown;
  transient?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

/** true when `err` (or one of its causes) is a transient failure and nothing says otherwise. */
export function isTransient(err: unknown): boolean {
  let current: unknown = err;
  let transient = false;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const e = current as ErrorShape;
    if (e.permanent === true) return false;
    const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
    // Authentication and permission problems stop everything, even below a network-looking wrapper.
    if (status === 401 || status === 403) return false;
    if (e.level === "client-authentication") return false;
    if (e.transient === true) transient = true;
    if (status !== undefined && (status >= 500 || status === 429 || status === 408)) transient = true;
    if (e.$retryable !== undefined && e.$retryable !== null) transient = true;
    for (const key of [e.code, e.name, e.errno]) if (typeof key === "string" && TRANSIENT_CODES.has(key)) transient = true;
    if (typeof e.code === "number" && SFTP_TRANSIENT_STATUS.has(e.code)) transient = true;
    if (e.level === "client-socket" || e.level === "client-timeout") transient = true;
    if (e.code === "ERR_NOT_CONNECTED" || (e.code === "ERR_GENERIC_CLIENT" && current instanceof Error && SFTP_CONNECTION_LOST.test(current.message))) transient = true;
    // ssh2 fails every request still waiting when the channel closes with this bare error (no code).
    if (e.code === undefined && current instanceof Error && current.message === SSH2_PENDING_REQUEST_LOST) transient = true;
    current = e.cause;
  }
  return transient;
}

export interface RetryHooks {
  signal?: AbortSignal;
  /** Called before each retry with the attempt that failed (1-based) and the error. */
  onRetry?: (attempt: number, error: Error, retriesLeft: number) => void;
}

/** Runs `attempt` until it succeeds, fails permanently, or the retries are used up. */
export async function withRetry<T>(policy: RetryPolicy, attempt: (n: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  return pRetry(attempt, {
    retries: policy.retries,
    factor: 2,
    minTimeout: policy.minDelayMs,
    maxTimeout: Math.max(policy.minDelayMs, policy.maxDelayMs),
    randomize: true,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    shouldRetry: ({ error }) => !hooks.signal?.aborted && isTransient(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && !hooks.signal?.aborted && isTransient(error)) hooks.onRetry?.(attemptNumber, error, retriesLeft);
    },
  });
}
