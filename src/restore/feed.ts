import type { Writable } from "node:stream";
import { execa } from "execa";
import { childEnv, CommandError, formatCommand, LineTail, type Command } from "../util/process.js";
import { describeError, OperationError } from "../util/errors.js";
import type { Redactor } from "../util/redact.js";
import { ClientErrors } from "./client-errors.js";

export interface FeedOptions {
  signal?: AbortSignal | undefined;
  redactor?: Redactor | undefined;
  onStderrLine?: ((line: string) => void) | undefined;
  /** Keep stdout (pg_restore --list); otherwise it is discarded. */
  captureStdout?: boolean;
  /** The child may stop reading before the end (pg_restore --list reads only the table of contents). */
  mayStopEarly?: boolean;
  onBytes?: ((bytes: number) => void) | undefined;
}

/** The archive failed while the client was being fed: the client was killed before EOF. */
export class DumpReadError extends OperationError {}

/**
 * Runs a client (psql, pg_restore, mariadb) with `source` streamed to its stdin: the dump flows
 * from the archive to the client without a temporary copy. Three outcomes, told apart:
 * - the archive fails (damage, CRC, I/O): the client is killed before its stdin closes, so it
 *   never sees EOF (where psql --single-transaction would COMMIT) → DumpReadError;
 * - the client fails: its own error lines (scrubbed of row data) are the reason; the broken pipe
 *   it leaves behind is a consequence and never reported → CommandError;
 * - the client exits 0 without reading everything: fine only when `mayStopEarly`.
 */
export async function feedCommand(command: Command, source: AsyncIterable<Buffer>, options: FeedOptions = {}): Promise<{ stdout: string; stderrTail: string }> {
  const redact = (s: string) => options.redactor?.redact(s) ?? s;
  const errors = new ClientErrors();
  const tail = new LineTail(1, (line) => {
    errors.line(line);
    options.onStderrLine?.(line);
  });
  const child = execa(command.file, command.args, {
    env: childEnv(command),
    extendEnv: false,
    stdin: "pipe",
    stdout: options.captureStdout ? "pipe" : "ignore",
    buffer: { stdout: options.captureStdout === true, stderr: false },
    reject: false,
    stripFinalNewline: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    forceKillAfterDelay: 5_000,
  });
  child.stderr?.on("data", (chunk: Buffer) => tail.push(chunk));
  const stdin = child.stdin;
  if (!stdin) throw new Error("child has no stdin");
  const fed = await pump(source, stdin, options.onBytes, () => child.kill("SIGKILL"));
  const result = await child;
  tail.end();
  const label = redact(formatCommand(command));
  const name = command.file.split("/").pop() ?? command.file;
  const stderrTail = redact(errors.summary());
  if (fed.sourceError !== null) {
    throw new DumpReadError(`the archive could not be read to the end, so ${name} was killed before the end of the dump: ${describeError(fed.sourceError)}`, { cause: fed.sourceError });
  }
  if (result.failed || result.exitCode !== 0) {
    let reason: string;
    if (result.isCanceled) reason = `${name} was stopped (interrupted)`;
    else if (result.signal) reason = `${name} was killed by ${result.signal}`;
    else if (result.exitCode === undefined) reason = `${name} could not be started (${(result as { code?: string }).code ?? result.shortMessage})`;
    else reason = `${name} exited with code ${result.exitCode}`;
    throw new CommandError({ command: label, exitCode: result.exitCode, signal: result.signal, stderrTail, reason }, { cause: result.cause });
  }
  if (!fed.complete && !options.mayStopEarly) {
    throw new CommandError({ command: label, exitCode: 0, stderrTail, reason: `${name} exited 0 without reading the whole dump` });
  }
  return { stdout: String(result.stdout ?? ""), stderrTail };
}

interface Pumped {
  /** Every byte was written and stdin was closed (EOF given). */
  complete: boolean;
  /** The archive failed; the child was killed first. */
  sourceError: unknown;
}

/**
 * Copies `source` into the child's stdin with backpressure. Errors of the source and of the
 * pipe are kept apart: only the first means damage. On a source error `kill` runs before the
 * pipe is closed, so the child dies without reading EOF.
 */
async function pump(source: AsyncIterable<Buffer>, stdin: Writable, onBytes: ((n: number) => void) | undefined, kill: () => void): Promise<Pumped> {
  let sinkFailed = false;
  stdin.on("error", () => {
    // EPIPE and friends: the child stopped reading; its exit status tells why.
    sinkFailed = true;
  });
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (err) {
      kill();
      stdin.destroy();
      return { complete: false, sourceError: err };
    }
    if (next.done) break;
    if (sinkFailed || stdin.destroyed) {
      await iterator.return?.();
      return { complete: false, sourceError: null };
    }
    onBytes?.(next.value.length);
    if (!stdin.write(next.value)) await drained(stdin);
  }
  if (sinkFailed || stdin.destroyed) return { complete: false, sourceError: null };
  await new Promise<void>((resolve) => stdin.end(resolve));
  return { complete: !sinkFailed, sourceError: null };
}

/** Resolves when the pipe takes more, or can never again (closed, failed). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}
