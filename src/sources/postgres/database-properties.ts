import type { DatabaseProperties } from "../../catalog/sidecar.js";
import { query, type QueryContext } from "./queries.js";

/**
 * What pg_dump leaves out unless --create (which would tie the dump to the original name): the
 * database's owner, grants, comment and settings. Read in the database being dumped.
 */
export async function pgDatabaseProperties(ctx: QueryContext): Promise<DatabaseProperties> {
  const here = "d.datname = current_database()";
  // The three queries run at once: each is a psql start (two with Debian's wrapper), a connection and a round trip, paid before the dump starts.
  const [[base], acl, settings] = await Promise.all([
    query(
      ctx,
      `SELECT pg_catalog.pg_get_userbyid(d.datdba), CASE WHEN d.datacl IS NULL THEN 't' ELSE 'f' END,
              CASE WHEN c.description IS NULL THEN 'f' ELSE 't' END, coalesce(c.description, '')
         FROM pg_catalog.pg_database d
         LEFT JOIN pg_catalog.pg_shdescription c ON c.objoid = d.oid AND c.classoid = 'pg_catalog.pg_database'::regclass
        WHERE ${here}`,
      4,
    ),
    query(
      ctx,
      `SELECT CASE WHEN a.grantee = 0 THEN 't' ELSE 'f' END, coalesce(r.rolname, ''), a.privilege_type, CASE WHEN a.is_grantable THEN 't' ELSE 'f' END
         FROM pg_catalog.pg_database d, pg_catalog.aclexplode(d.datacl) a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
        WHERE ${here} ORDER BY 1, 2, 3`,
      4,
    ),
    query(
      ctx,
      `SELECT CASE WHEN s.setrole = 0 THEN 't' ELSE 'f' END, coalesce(r.rolname, ''), u.setting
         FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
         LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) WITH ORDINALITY u(setting, n)
        WHERE ${here} ORDER BY 1 DESC, 2, u.n`,
      3,
    ),
  ]);
  const [owner, defaultAcl, hasComment, comment] = base ?? [];
  const roleSettings = new Map<string, string[]>();
  for (const [database, role, setting] of settings) {
    if (database === "f" && role) roleSettings.set(role, [...(roleSettings.get(role) ?? []), setting ?? ""]);
  }
  return {
    engine: "postgres",
    owner: owner ?? "",
    acl: defaultAcl === "t" ? null : acl.map(([isPublic, role, privilege, grantable]) => ({ grantee: isPublic === "t" ? null : (role ?? ""), privilege: privilege ?? "", grantable: grantable === "t" })),
    comment: hasComment === "t" ? (comment ?? "") : null,
    settings: settings.filter(([database]) => database === "t").map(([, , setting]) => setting ?? ""),
    role_settings: [...roleSettings].map(([role, list]) => ({ role, settings: list })),
  };
}
