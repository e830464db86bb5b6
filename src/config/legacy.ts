import { hostname } from "node:os";
import { join } from "node:path";

/**
 * The older Python tool's JSON config (`db_config` entries with id_dbms, dbms, db_list …),
 * converted to the current shape. Keys that have no equivalent are reported so the user
 * knows what was not carried over.
 */
export interface LegacyConversion {
  config: Record<string, unknown>;
  /** One entry per key that was not carried over, with what to do about it. */
  unmapped: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function isLegacyConfig(raw: unknown): boolean {
  return isObj(raw) && (Array.isArray(raw.db_config) || isObj(raw.server_info) || (isObj(raw.databases) && !("instances" in raw)));
}

const DBMS: Record<string, string> = { mysql: "mysql", mariadb: "mysql", postgresql: "postgres", postgres: "postgres", files: "files" };

export function convertLegacy(raw: Obj): LegacyConversion {
  const unmapped: string[] = [];
  const serverInfo = isObj(raw.server_info) ? raw.server_info : {};
  const paths = isObj(raw.paths) ? raw.paths : {};
  const options = isObj(raw.backup_options) ? raw.backup_options : {};

  const server: Obj = { name: sanitizeName(String(serverInfo.server_name ?? hostname())) };
  if (serverInfo.location !== undefined) server.location = String(serverInfo.location);

  const newOptions: Obj = {};
  if (typeof paths.log_path === "string") newOptions.log_file = join(paths.log_path, "vya-backupdb.log");
  if (options.retention_days !== undefined) {
    unmapped.push(`backup_options.retention_days (retention is not applied by this version; keep old archives pruned by hand until retention lands)`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "retention_days" && key !== "compress") unmapped.push(`backup_options.${key} (no equivalent; remove it)`);
  }

  const entries: Obj[] = Array.isArray(raw.db_config) ? raw.db_config.filter(isObj) : [];
  const instances = entries.map((entry, index) => convertEntry(entry, index, unmapped));

  // The older variant keeps one server per engine under `databases`.
  if (isObj(raw.databases)) {
    let nextId = Math.max(0, ...instances.map((i) => Number(i.id) || 0)) + 1;
    for (const [engine, value] of Object.entries(raw.databases)) {
      if (!isObj(value)) continue;
      instances.push(convertEntry({ ...value, dbms: engine, id_dbms: value.id_dbms ?? nextId++ }, instances.length, unmapped, `databases.${engine}`));
    }
  }

  const config: Obj = {
    server,
    storage: { local: { path: typeof paths.backup_path === "string" ? paths.backup_path : "/var/backups/vya-backupdb" } },
    instances,
  };
  if (Object.keys(newOptions).length > 0) config.options = newOptions;
  return { config, unmapped };
}

function convertEntry(entry: Obj, index: number, unmapped: string[], where = `db_config[${index}]`): Obj {
  const dbms = String(entry.dbms ?? "").toLowerCase();
  const type = DBMS[dbms] ?? dbms;
  const out: Obj = { id: entry.id_dbms ?? entry.id ?? index + 1, type };
  if (entry.enabled !== undefined) out.enabled = Boolean(entry.enabled);
  const list = Array.isArray(entry.db_list) ? entry.db_list : [];
  if (type === "files") {
    out.paths = list;
    if (Array.isArray(entry.db_ignore) && entry.db_ignore.length > 0) out.exclude = entry.db_ignore;
  } else {
    if (entry.host !== undefined) out.host = entry.host === "localhost" ? "127.0.0.1" : entry.host;
    if (typeof entry.port === "number" && entry.port > 0) out.port = entry.port;
    if (entry.user !== undefined) out.user = entry.user;
    const password = entry.secret ?? entry.password;
    if (password !== undefined) out.password = password;
    if (list.length > 0) out.databases = list;
    if (Array.isArray(entry.db_ignore) && entry.db_ignore.length > 0) out.exclude_databases = entry.db_ignore;
  }
  const known = new Set(["id_dbms", "id", "dbms", "host", "port", "user", "secret", "password", "db_list", "db_ignore", "enabled"]);
  for (const key of Object.keys(entry)) {
    if (known.has(key)) continue;
    if (key === "password_encrypted" || key === "secret_encrypted") {
      unmapped.push(`${where}.${key} (the old tool's encrypted passwords cannot be read: set password: "\${env:NAME}" or "\${file:/path}" instead)`);
    } else {
      unmapped.push(`${where}.${key} (no equivalent; remove it)`);
    }
  }
  return out;
}

function sanitizeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned || "server";
}
