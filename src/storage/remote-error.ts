import { OperationError, VyaError, describeError } from "../util/errors.js";

/**
 * A remote operation that failed for good (after its retries): exit 1, naming the remote and
 * what was being done, with the backend's error kept as `cause`.
 */
export class RemoteError extends OperationError {
  constructor(
    readonly remote: string,
    what: string,
    cause: unknown,
  ) {
    super(`remote "${remote}": ${what}: ${describeError(cause)}`, { cause });
  }
}

/** Wraps a backend failure; "not found" (code ENOENT) stays as it is, for readers that expect it. */
export function remoteFailure(remote: string, what: string, err: unknown): Error {
  if (err instanceof VyaError) return err;
  if ((err as { code?: unknown } | null)?.code === "ENOENT") return err as Error;
  return new RemoteError(remote, what, err);
}
