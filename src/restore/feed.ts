import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import { childEnv, CommandError, formatCommand, LineTail, type Command } from "../util/process.js";
import { describeError, OperationError } from "../util/errors.js";
import type { Redactor } from "../util/redact.js";

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

/**
 * Runs a client (psql, pg_restore, mariadb) with `source` streamed to its stdin: the dump flows
 * from the archive to the client without a temporary copy. The child's exit status decides;
 * a failure carries the command line and its stderr tail (redacted).
 */
export async function feedCommand(command: Command, source: AsyncIterable<Buffer>, options: FeedOptions = {}): Promise<{ stdout: string; stderrTail: string }> {
  const redact = (s: string) => options.redactor?.redact(s) ?? s;
  const tail = new LineTail(30, options.onStderrLine);
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
  let sourceFailure: unknown = null;
  const counted = async function* () {
    try {
      for await (const chunk of source) {
        options.onBytes?.(chunk.length);
        yield chunk;
      }
    } catch (err) {
      // Kill before the pipe closes: at EOF psql would run and COMMIT the part it had read.
      sourceFailure = err;
      child.kill("SIGKILL");
      throw err;
    }
  };
  if (!child.stdin) throw new Error("child has no stdin");
  const feeding = pipeline(Readable.from(counted(), { objectMode: false }), child.stdin).then(
    () => null,
    (err: unknown) => err as NodeJS.ErrnoException,
  );
  const result = await child;
  const fed = await feeding;
  tail.end();
  const label = redact(formatCommand(command));
  const name = command.file.split("/").pop() ?? command.file;
  const stderrTail = redact(tail.text());
  if (sourceFailure !== null) {
    throw new OperationError(`the dump could not be read to the end, so ${name} was stopped before it could commit anything: ${describeError(sourceFailure)}`, { cause: sourceFailure });
  }
  if (result.failed || result.exitCode !== 0) {
    let reason: string;
    if (result.isCanceled) reason = `${name} was stopped (interrupted)`;
    else if (result.signal) reason = `${name} was killed by ${result.signal}`;
    else if (result.exitCode === undefined) reason = `${name} could not be started (${(result as { code?: string }).code ?? result.shortMessage})`;
    else reason = `${name} exited with code ${result.exitCode}`;
    throw new CommandError({ command: label, exitCode: result.exitCode, signal: result.signal, stderrTail, reason }, { cause: fed ?? result.cause });
  }
  const earlyStop = fed && (fed.code === "EPIPE" || fed.code === "ERR_STREAM_PREMATURE_CLOSE" || fed.code === "ERR_STREAM_DESTROYED");
  if (fed && !(earlyStop && options.mayStopEarly)) {
    // The archive could not be read to the end: the client got a partial dump.
    throw fed;
  }
  return { stdout: String(result.stdout ?? ""), stderrTail };
}
