/**
 * Typed errors. Known errors carry the exit code the CLI ends with and keep their `cause`;
 * anything that is not a VyaError is a bug and is re-thrown with its stack.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  locked: 3,
  sigint: 130,
  sigterm: 143,
} as const;

export class VyaError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.failed;
  }
}

/** Bad command line or bad config: nothing was attempted (exit 2). */
export class UsageError extends VyaError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.usage });
  }
}

/** The config file is missing, unreadable or invalid. `problems` holds one line per problem. */
export class ConfigError extends UsageError {
  readonly problems: string[];
  readonly file: string | undefined;
  constructor(problems: string[], file?: string, options: { cause?: unknown } = {}) {
    const where = file ? ` in ${file}` : "";
    const list = problems.map((p) => `  - ${p}`).join("\n");
    super(`invalid config${where} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${list}`, options);
    this.problems = problems;
    this.file = file;
  }
}

/** Something failed while doing the work (a dump, an archive, an upload): exit 1. */
export class OperationError extends VyaError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.failed });
  }
}

/** Another run holds the lock (exit 3): `holder` says who, when it answered. */
export class LockedError extends VyaError {
  readonly holder: { pid: number; host: string; started_at: string; command: string } | null;
  constructor(message: string, holder: LockedError["holder"], options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.locked });
    this.holder = holder;
  }
}

/** The run was interrupted (SIGINT/SIGTERM): whatever failed afterwards failed because of that. */
export class InterruptedError extends OperationError {
  constructor(signal?: AbortSignal) {
    const reason: unknown = signal?.reason;
    super(reason instanceof Error && /interrupted/.test(reason.message) ? reason.message : "interrupted", reason === undefined ? {} : { cause: reason });
  }
}

/** Throws an InterruptedError when `signal` has aborted: a failure after an abort is the abort. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError(signal);
}

/** Node's system errors: "ENOSPC: no space left on device, write" with code, syscall, maybe path. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return err instanceof Error && typeof code === "string" && typeof (err as NodeJS.ErrnoException).syscall === "string" && err.message.startsWith(`${code}: `);
}

/**
 * A system error as "ENOSPC: no space left on device (write /path)": the cause first, then the
 * operation and the file, so an I/O error always names what was being done to which file.
 */
export function systemErrorText(err: NodeJS.ErrnoException & Error): string {
  const code = err.code ?? "";
  // Node's message is "CODE: description, syscall 'path'"; keep the description only.
  const description = err.message.replace(new RegExp(`^${code}: `), "").replace(/, \w+( '.*')?( -> '.*')?$/, "");
  const where = [err.syscall, err.path].filter(Boolean).join(" ");
  return `${code}: ${description}${where ? ` (${where})` : ""}`;
}

/** The command line of the first failed child in the cause chain: for debug logs, never for messages. */
export function commandOf(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const command = (current as { command?: unknown }).command;
    if (typeof command === "string") return command;
  }
  return undefined;
}

/**
 * One line for a human: the message, then what each cause adds. A cause already said (its
 * first line is in the text: a parse error quoted by the config error) is left out, and one
 * that repeats the end of the text (`…: EISDIR` + `EISDIR: illegal …`) is joined without the
 * repetition, so nothing is printed twice.
 */
export function describeError(err: unknown): string {
  let text = "";
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = isSystemError(current) ? systemErrorText(current) : current instanceof Error ? current.message : String(current);
    text = join(text, message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return text;
}

function join(text: string, message: string): string {
  if (!message) return text;
  if (!text) return message;
  const firstLine = message.split("\n")[0] ?? message;
  if (text.includes(firstLine)) return text;
  // The longest start of `message` (whole words) that `text` already ends with.
  for (let cut = firstLine.length; cut > 0; cut--) {
    const head = message.slice(0, cut);
    const before = text.slice(0, text.length - cut);
    if (cut >= 3 && /\w$/.test(head) && /^(\W|$)/.test(message.slice(cut)) && text.endsWith(head) && /(^|\W)$/.test(before)) return text + message.slice(cut);
  }
  return `${text}: ${message}`;
}
