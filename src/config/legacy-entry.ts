import { LEGACY_DBMS, toList, type EngineFilters } from "./legacy-filters.js";

/**
 * One entry of the old tool's `db_config` (or `databases.<engine>`) → one instance. Keys it
 * cannot carry over are named in `unmapped`; keys the old tool never had are `problems`: a
 * misspelt `db_list` would otherwise widen the backup to every database without a word.
 */

type Obj = Record<string, unknown>;

export interface EntryContext {
  where: string;
  index: number;
  /** backup_filters for this entry's type, then the flat ones. */
  filters: EngineFilters[];
  unmapped: string[];
  problems: string[];
}

const KNOWN = new Set(["id_dbms", "id", "dbms", "host", "port", "user", "secret", "password", "db_list", "db_ignore", "enabled", "comment"]);
const ENCRYPTED = new Set(["password_encrypted", "secret_encrypted"]);

export function convertEntry(entry: Obj, ctx: EntryContext): Obj {
  const { where } = ctx;
  const dbms = String(entry.dbms ?? "").toLowerCase();
  const type = LEGACY_DBMS[dbms] ?? dbms;
  const out: Obj = { id: entry.id_dbms ?? entry.id ?? ctx.index + 1, type };
  if (entry.enabled !== undefined) out.enabled = Boolean(entry.enabled);
  const list = listOf(entry.db_list, `${where}.db_list`, ctx);
  const ignore = listOf(entry.db_ignore, `${where}.db_ignore`, ctx);
  if (type === "files") {
    out.paths = list;
    if (ignore.length > 0) out.exclude = ignore;
  } else {
    if (entry.host !== undefined) out.host = entry.host === "localhost" ? "127.0.0.1" : entry.host;
    if (typeof entry.port === "number" && entry.port > 0) out.port = entry.port;
    if (entry.user !== undefined) out.user = entry.user;
    const password = entry.secret ?? entry.password;
    if (password !== undefined) out.password = password;
    applyFilters(out, list, ignore, ctx);
  }
  for (const key of Object.keys(entry)) {
    if (KNOWN.has(key)) continue;
    if (ENCRYPTED.has(key)) {
      ctx.unmapped.push(`${where}.${key} (the old tool's encrypted passwords cannot be read: set password: "\${env:NAME}" or "\${file:/path}" instead)`);
    } else {
      ctx.problems.push(`${where}.${key}: unknown key (the old tool's keys are ${[...KNOWN, ...ENCRYPTED].join(", ")})`);
    }
  }
  return out;
}

/** db_list / db_ignore and backup_filters → databases, exclude_databases, exclude_tables. */
function applyFilters(out: Obj, list: string[], ignore: string[], ctx: EntryContext): void {
  const included = unique(ctx.filters.flatMap((f) => f.included_databases));
  let databases = list;
  if (included.length > 0 && list.length > 0) {
    // Both restrict: only what both name is backed up, never more than either asked for.
    databases = list.filter((db) => included.includes(db));
    const dropped = list.filter((db) => !included.includes(db));
    const filterWhere = ctx.filters.map((f) => `${f.where}.included_databases`).join(" / ");
    if (databases.length === 0) {
      ctx.problems.push(`${ctx.where}.db_list and ${filterWhere} name no database in common: nothing would be backed up`);
    } else if (dropped.length > 0) {
      ctx.unmapped.push(`${ctx.where}.db_list entries ${dropped.join(", ")} (not in ${filterWhere}: left out)`);
    }
  } else if (included.length > 0) {
    databases = included;
  }
  if (databases.length > 0) out.databases = databases;
  const exclude = unique([...ignore, ...ctx.filters.flatMap((f) => f.excluded_databases)]);
  if (exclude.length > 0) out.exclude_databases = exclude;
  const tables = unique(ctx.filters.flatMap((f) => f.excluded_tables));
  if (tables.length > 0) out.exclude_tables = tables;
}

function listOf(value: unknown, where: string, ctx: EntryContext): string[] {
  const list = toList(value);
  if (list === null) ctx.problems.push(`${where}: expected a list of names`);
  return list ?? [];
}

const unique = (items: string[]) => [...new Set(items)];
