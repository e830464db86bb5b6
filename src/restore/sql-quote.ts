/** Quoting for the few statements restore builds itself (names come from users and sidecars). */

/** A PostgreSQL identifier: always double-quoted, embedded quotes doubled. */
export function pgIdent(name: string): string {
  if (name.includes("\0")) throw new Error("a name cannot contain a NUL byte");
  return `"${name.replace(/"/g, '""')}"`;
}

/** A PostgreSQL string literal (standard_conforming_strings, on since 9.1): quotes doubled. */
export function pgLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("a string cannot contain a NUL byte");
  return `'${value.replace(/'/g, "''")}'`;
}

/** A libpq connection-string value, for pg_restore --dbname (a bare name with "=" would be parsed as one). */
export function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A MySQL/MariaDB identifier: backquoted, embedded backquotes doubled. */
export function mysqlIdent(name: string): string {
  if (name.includes("\0")) throw new Error("a name cannot contain a NUL byte");
  return `\`${name.replace(/`/g, "``")}\``;
}

/** `<db>_restoretest_<UTC timestamp>` for --mode test (and scratch databases of verify). */
export function restoreTestName(database: string, now: Date, word = "restoretest"): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${database}_${word}_${stamp}`;
}
