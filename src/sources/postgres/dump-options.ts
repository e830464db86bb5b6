/**
 * What `dump_options` may not hold for pg_dump: connection and password flags (those come from
 * the instance and its credential file), and flags that would redirect or reshape the output
 * the archive writer expects on stdout. Returns why, or null when the option is allowed.
 */
const LONG: Record<string, string> = {
  "--host": "a connection flag",
  "--port": "a connection flag",
  "--username": "a connection flag",
  "--dbname": "a connection flag",
  "--password": "a password flag",
  "--no-password": "a password flag",
  "--file": "an output flag (the dump must go to stdout)",
  "--format": "an output flag (use the instance's format key)",
  "--jobs": "an output flag (parallel dumps need the directory format)",
};
const SHORT: Record<string, string> = { h: "--host", p: "--port", U: "--username", d: "--dbname", W: "--password", w: "--no-password", f: "--file", F: "--format", j: "--jobs" };

export function pgDumpOptionProblem(option: string): string | null {
  if (/password\s*=/i.test(option)) return `"${maskValue(option)}" carries a password: use password or password_file`;
  if (!option.startsWith("-")) return `"${option}" is not a flag (a bare word would be read as the database or a connection string)`;
  const long = option.startsWith("--") ? option.split("=")[0] ?? option : SHORT[option[1] ?? ""];
  const why = long ? LONG[long] : undefined;
  if (!why) return null;
  return `"${maskValue(option)}" is ${why}: ${why.startsWith("a connection") || why.startsWith("a password") ? "set host, port, socket, user and password (or password_file) on the instance instead" : "remove it"}`;
}

/** Never echo a value that might be a password back into an error message. */
export function maskValue(option: string): string {
  return /pass/i.test(option) && option.includes("=") ? `${option.split("=")[0]}=***` : option;
}
