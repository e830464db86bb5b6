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

/** One line for a human: the message, then the causes' messages that add something. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ");
}
