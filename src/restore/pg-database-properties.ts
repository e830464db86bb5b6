import type { DatabaseProperties } from "../catalog/sidecar.js";
import { query, type QueryContext } from "../sources/postgres/queries.js";
import { describeError } from "../util/errors.js";
import { pgIdent, pgLiteral } from "./sql-quote.js";

type PgProperties = Extract<DatabaseProperties, { engine: "postgres" }>;

/** Settings whose value is a list of quoted items (pg_dump's variable_is_guc_list_quote). */
const LIST_SETTINGS = new Set(["local_preload_libraries", "search_path", "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories"]);

/** `SET name TO 'value'` for a "name=value" of pg_db_role_setting, as pg_dump writes it. */
export function setClause(setting: string): string {
  const eq = setting.indexOf("=");
  const name = eq < 0 ? setting : setting.slice(0, eq);
  const value = eq < 0 ? "" : setting.slice(eq + 1);
  if (!LIST_SETTINGS.has(name.toLowerCase())) return `SET ${pgIdent(name)} TO ${pgLiteral(value)}`;
  return `SET ${pgIdent(name)} TO ${splitList(value).map(pgLiteral).join(", ") || "''"}`;
}

/** A stored list value (`"$user", public, "Odd, schema"`) into its items. */
function splitList(value: string): string[] {
  const items: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*?))\s*(?:,|$)/gy;
  for (const m of value.matchAll(re)) {
    if (m[0] === "") break;
    items.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ""));
  }
  return items.filter((item, i) => item !== "" || i < items.length - 1);
}

export interface PropertyStatements {
  statements: string[];
  /** What could not be applied here, and why. */
  warnings: string[];
}

/** The statements that give `target` the recorded properties, given the roles this server has. */
export function propertyStatements(target: string, props: PgProperties, roles: ReadonlySet<string>): PropertyStatements {
  const db = pgIdent(target);
  const statements: string[] = [];
  const warnings: string[] = [];
  const ownerHere = roles.has(props.owner);
  if (ownerHere) statements.push(`ALTER DATABASE ${db} OWNER TO ${pgIdent(props.owner)}`);
  else warnings.push(`the database's owner "${props.owner}" does not exist here: "${target}" stays owned by the restoring role`);
  if (props.acl) {
    // From a clean slate, as pg_dump does; the owner's own rights only when it is the recorded owner.
    statements.push(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
    if (ownerHere) statements.push(`REVOKE ALL ON DATABASE ${db} FROM ${pgIdent(props.owner)}`);
    const missing = new Set<string>();
    for (const item of props.acl) {
      if (item.grantee !== null && !roles.has(item.grantee)) {
        missing.add(item.grantee);
        continue;
      }
      const grantee = item.grantee === null ? "PUBLIC" : pgIdent(item.grantee);
      statements.push(`GRANT ${item.privilege.replace(/[^A-Z ]/g, "")} ON DATABASE ${db} TO ${grantee}${item.grantable ? " WITH GRANT OPTION" : ""}`);
    }
    if (missing.size > 0) warnings.push(`grants on the database to roles that do not exist here were left out: ${[...missing].map((r) => `"${r}"`).join(", ")}`);
  }
  if (props.comment !== null) statements.push(`COMMENT ON DATABASE ${db} IS ${pgLiteral(props.comment)}`);
  for (const setting of props.settings) statements.push(`ALTER DATABASE ${db} ${setClause(setting)}`);
  for (const { role, settings } of props.role_settings) {
    if (!roles.has(role)) {
      warnings.push(`settings of role "${role}" in the database were left out: the role does not exist here`);
      continue;
    }
    for (const setting of settings) statements.push(`ALTER ROLE ${pgIdent(role)} IN DATABASE ${db} ${setClause(setting)}`);
  }
  return { statements, warnings };
}

/** Applies them one by one: one that fails (a setting this server does not know) becomes a warning. */
export async function applyDatabaseProperties(admin: QueryContext, target: string, props: DatabaseProperties | undefined): Promise<string[]> {
  if (!props || props.engine !== "postgres") return [];
  const roles = new Set((await query(admin, "SELECT rolname FROM pg_catalog.pg_roles", 1)).map((r) => r[0] ?? ""));
  const { statements, warnings } = propertyStatements(target, props, roles);
  for (const statement of statements) {
    try {
      await query(admin, statement, 1);
    } catch (err) {
      warnings.push(`database property not applied (${statement.split(" ").slice(0, 3).join(" ")} …): ${describeError(err)}`);
    }
  }
  return warnings;
}
