import type { SidecarTable } from "../../catalog/sidecar.js";
import { matchesAny } from "../name-glob.js";

/** Never dumped unless named: template0 takes no connections, template1 is the server's own template. */
export const PG_SYSTEM_DATABASES = ["template0", "template1"] as const;

/** Tables left in the sidecar's list once exclude_tables ("schema.table" or "table" globs) is applied. */
export function tablesAfterExclusion(tables: SidecarTable[], excludeTables: readonly string[]): SidecarTable[] {
  if (excludeTables.length === 0) return tables;
  return tables.filter((t) => !matchesAny(`${t.schema ?? ""}.${t.name}`, excludeTables.filter((g) => g.includes("."))) && !matchesAny(t.name, excludeTables.filter((g) => !g.includes("."))));
}
