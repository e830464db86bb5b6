import { maskValue } from "../postgres/dump-options.js";

/**
 * What `dump_options` may not hold for mysqldump/mariadb-dump: connection, password and option
 * file flags (they come from the instance and the temporary defaults file, which must stay the
 * first argument), and flags that would redirect the output or change which databases are dumped.
 */
const TRAILER_FLAG = 'a flag that drops the dump\'s "-- Dump completed" completion line, which the backup needs to tell a whole dump from one cut short';
const LONG: Record<string, string> = {
  "--host": "a connection flag",
  "--port": "a connection flag",
  "--user": "a connection flag",
  "--socket": "a connection flag",
  "--protocol": "a connection flag",
  "--password": "a password flag",
  "--defaults-file": "an option-file flag",
  "--defaults-extra-file": "an option-file flag",
  "--defaults-group-suffix": "an option-file flag",
  "--no-defaults": "an option-file flag",
  "--login-path": "an option-file flag",
  "--result-file": "an output flag (the dump must go to stdout)",
  "--tab": "an output flag (the dump must go to stdout)",
  "--databases": "a selection flag (use databases / exclude_databases)",
  "--all-databases": "a selection flag (use databases / exclude_databases)",
  "--skip-comments": TRAILER_FLAG,
  "--compact": TRAILER_FLAG,
};
const SHORT: Record<string, string> = { h: "--host", P: "--port", u: "--user", S: "--socket", p: "--password", r: "--result-file", T: "--tab", B: "--databases", A: "--all-databases" };

export function mysqlDumpOptionProblem(option: string): string | null {
  if (!option.startsWith("-")) return `"${option}" is not a flag (a bare word would be read as a database or table name)`;
  const name = option.startsWith("--") ? (option.split("=")[0] ?? option) : SHORT[option[1] ?? ""];
  if (name === undefined) return null;
  if (name === "--comments" && /^--comments=(0|false|off)$/i.test(option)) return `"${option}" is ${TRAILER_FLAG}: remove it`;
  const why = LONG[name] ?? (name.startsWith("--ssl") ? "a connection flag" : undefined);
  if (!why) return null;
  const fix = why.startsWith("a connection") || why.startsWith("a password") || why.startsWith("an option-file") ? "set host, port, socket, user, password (or password_file), ssl and ssl_ca on the instance instead" : "remove it";
  // -pSECRET carries its value glued on: never echo it.
  const shown = !option.startsWith("--") && option[1] === "p" ? "-p***" : maskValue(option);
  return `"${shown}" is ${why}: ${fix}`;
}
