import type { Readable } from "node:stream";
import { execa, type ResultPromise } from "execa";
import { OperationError } from "./errors.js";
import type { Redactor } from "./redact.js";

/** A command as data: built by pure functions, run without a shell. */
export interface Command {
  file: string;
  args: string[];
  /** Extra environment on top of the clean base (never a password: use credential files). */
  env?: Record<string, string>;
}

/** Variables a child may inherit from our own environment; everything else is left out. */
const INHERITED_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "TMPDIR", "USER", "LOGNAME"];

/** The child's environment: an allow-list of ours plus the command's own. Secret variables never pass. */
export function childEnv(command: Command, parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, command.env ?? {});
  delete env.PGPASSWORD;
  delete env.MYSQL_PWD;
  return env;
}

/** How a command is shown in errors and logs: argv only (never the environment). */
export function formatCommand(command: Pick<Command, "file" | "args">): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [command.file, ...command.args].map(quote).join(" ");
}

/** A failed child: its exit code or signal and the tail of its stderr (redacted); `command` is for debug logs. */
export class CommandError extends OperationError {
  readonly command: string;
  /** The child's exit code (`exitCode` is the CLI's, inherited). */
  readonly childExitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stderrTail: string;
  constructor(info: { command: string; exitCode?: number | undefined; signal?: string | undefined; stderrTail: string; reason: string }, options: { cause?: unknown } = {}) {
    // The cause leads (what the child said); the command line is kept for debug logs only.
    const tail = info.stderrTail.trim();
    super(tail ? `${info.reason}: ${tail}` : info.reason, options);
    this.command = info.command;
    this.childExitCode = info.exitCode;
    this.signal = info.signal;
    this.stderrTail = info.stderrTail;
  }
}

/** Keeps the last lines of a stream of text, and hands every complete line to a watcher. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = "";
  constructor(
    private readonly maxLines = 30,
    private readonly onLine?: (line: string) => void,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    // A line that never ends (binary noise) must not grow without bound.
    if (this.partial.length > 64 * 1024) this.partial = this.partial.slice(-64 * 1024);
    for (const line of parts) this.add(line);
  }

  end(): void {
    if (this.partial) this.add(this.partial);
    this.partial = "";
  }

  private add(line: string): void {
    const clean = line.replace(/\r$/, "");
    this.onLine?.(clean);
    this.lines.push(clean.length > 2000 ? `${clean.slice(0, 2000)}…` : clean);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  text(): string {
    return this.lines.join("\n");
  }
}

export interface RunOptions {
  signal?: AbortSignal | undefined;
  redactor?: Redactor | undefined;
  /** Called with each stderr line as it arrives (failure and warning detection). */
  onStderrLine?: ((line: string) => void) | undefined;
  /** Text fed to stdin (never a secret). */
  input?: string | undefined;
  /** Give up after this long (queries, version probes); dumps have no timeout. */
  timeoutMs?: number | undefined;
}

export interface Finished {
  exitCode: number;
  stderrTail: string;
}

/** A running child whose stdout is read as a stream (a dump). */
export interface StreamingChild {
  stdout: Readable;
  /** Resolves once the child exited 0; rejects with a CommandError otherwise. */
  done: Promise<Finished>;
  kill(): void;
}

function spawn(command: Command, options: RunOptions, buffer: boolean): { child: ResultPromise; tail: LineTail; label: string } {
  const redact = (s: string) => options.redactor?.redact(s) ?? s;
  const tail = new LineTail(30, options.onStderrLine);
  const child = execa(command.file, command.args, {
    env: childEnv(command),
    extendEnv: false,
    buffer: { stdout: buffer, stderr: false },
    stdin: options.input === undefined ? "ignore" : "pipe",
    ...(options.input === undefined ? {} : { input: options.input }),
    reject: false,
    stripFinalNewline: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    forceKillAfterDelay: 5_000,
    encoding: buffer ? "utf8" : "buffer",
  });
  child.stderr?.on("data", (chunk: Buffer) => tail.push(chunk));
  return { child, tail, label: redact(formatCommand(command)) };
}

async function settle(child: ResultPromise, tail: LineTail, label: string, options: RunOptions): Promise<{ exitCode: number; stderrTail: string; stdout: unknown }> {
  const result = await child;
  tail.end();
  const stderrTail = options.redactor?.redact(tail.text()) ?? tail.text();
  if (result.failed || result.exitCode !== 0) {
    const name = (label.split(" ")[0] ?? label).split("/").pop() ?? label;
    let reason: string;
    if (result.isCanceled) reason = `${name} was stopped (interrupted)`;
    else if (result.timedOut) reason = `${name} timed out`;
    else if (result.signal) reason = `${name} was killed by ${result.signal}`;
    else if (result.exitCode === undefined) reason = `${name} could not be started (${(result as { code?: string }).code ?? result.shortMessage})`;
    else reason = `${name} exited with code ${result.exitCode}`;
    throw new CommandError({ command: label, exitCode: result.exitCode, signal: result.signal, stderrTail, reason }, { cause: result.cause });
  }
  return { exitCode: 0, stderrTail, stdout: result.stdout };
}

/** Runs a short command and returns its stdout (queries, `--version`). */
export async function runCommand(command: Command, options: RunOptions = {}): Promise<{ stdout: string; stderrTail: string }> {
  const { child, tail, label } = spawn(command, options, true);
  const result = await settle(child, tail, label, options);
  return { stdout: String(result.stdout ?? ""), stderrTail: result.stderrTail };
}

/**
 * Starts a command whose stdout the caller consumes as a stream. Start it only when a consumer
 * is ready: a child blocked on a full pipe would keep its snapshot (transaction) open.
 */
export function startStreaming(command: Command, options: RunOptions = {}): StreamingChild {
  const { child, tail, label } = spawn(command, options, false);
  const done = settle(child, tail, label, options).then((r) => ({ exitCode: r.exitCode, stderrTail: r.stderrTail }));
  done.catch(() => undefined);
  if (!child.stdout) throw new Error("child has no stdout");
  return { stdout: child.stdout, done, kill: () => child.kill() };
}
