import { describeError, OperationError } from "./errors.js";

/**
 * An I/O failure with what was being done and to which file ("writing the archive /x/.a.zip…
 * failed: ENOSPC: no space left on device, write"): Node's own errors name neither for streams.
 */
export function ioFailure(phase: string, path: string, err: unknown): OperationError {
  return new OperationError(`${phase} ${path} failed: ${describeError(err)}`, { cause: err });
}
