import { matchesAny } from "../name-glob.js";

/** Never dumped: the server's own virtual or internal schemas. */
export const MYSQL_ALWAYS_SKIPPED = ["information_schema", "performance_schema", "sys"] as const;
/** Dumped only when named in `databases`. */
export const MYSQL_SYSTEM_DATABASES = [...MYSQL_ALWAYS_SKIPPED, "mysql"] as const;

/** exclude_tables ("db.table" or "table" globs) → the `db.table` names for --ignore-table. */
export function ignoredTables(database: string, tables: readonly string[], excludeTables: readonly string[]): string[] {
  const qualified = excludeTables.filter((g) => g.includes("."));
  const bare = excludeTables.filter((g) => !g.includes("."));
  return tables.filter((t) => matchesAny(`${database}.${t}`, qualified) || matchesAny(t, bare)).map((t) => `${database}.${t}`);
}
