/**
 * Whether a person watches `stream`: a terminal, and not a systemd service whose stderr happens
 * to be one (INVOCATION_ID / JOURNAL_STREAM are set for every unit). Progress lines and
 * human-readable log lines only then; otherwise JSON lines, which the journal keeps whole.
 */
export function isInteractive(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.INVOCATION_ID && !env.JOURNAL_STREAM;
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off. */
export function colorAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}
