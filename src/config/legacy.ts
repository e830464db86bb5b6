import { hostname } from "node:os";
import { join } from "node:path";
import { convertEntry } from "./legacy-entry.js";
import { convertLegacySchedule } from "./legacy-schedule.js";
import { LEGACY_DBMS, parseBackupFilters, type EngineFilters } from "./legacy-filters.js";
import { convertMonitoring } from "./legacy-monitoring.js";

/**
 * The older Python tool's JSON config (`db_config` entries with id_dbms, dbms, db_list …, or
 * `databases.<engine>` with `server_info`, `paths`, `backup_options`, `backup_filters`,
 * `schedule`, `monitoring`), converted to the current shape. Nothing is dropped silently: every
 * setting is converted or named in `unmapped`; a key the old tool never had is in `problems`
 * (a typo, reported like any other config error).
 */
export interface LegacyConversion {
  config: Record<string, unknown>;
  /** One entry per setting that was not carried over, with why or what to do about it. */
  unmapped: string[];
  /** Config errors: unknown keys, values of the wrong shape. */
  problems: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function isLegacyConfig(raw: unknown): boolean {
  return isObj(raw) && (Array.isArray(raw.db_config) || isObj(raw.server_info) || (isObj(raw.databases) && !("instances" in raw)));
}

export const DEFAULT_LOCAL_PATH = "/var/backups/vya-backupdb";

const NO_SCHEDULE = "not applied: the schedule block (converted) and vya-backupdb schedule print|install shape the systemd timer, see docs/deployment.md";
/** Top-level blocks the old tool had that have no equivalent here: each named with why. */
const NOT_APPLIED: Record<string, string> = {
  schedule_settings: NO_SCHEDULE,
  service_settings: NO_SCHEDULE,
};
/** Top-level keys converted below. */
const CONVERTED = ["schedule", "server_info", "db_config", "databases", "paths", "backup_options", "backup_filters", "monitoring", "log_settings", "bkp_system", "email_settings", "prometheus_settings", "slack_settings"];

export function convertLegacy(raw: Obj): LegacyConversion {
  const unmapped: string[] = [];
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (key in NOT_APPLIED) unmapped.push(`${key} (${NOT_APPLIED[key]})`);
    else if (!CONVERTED.includes(key)) problems.push(`${key}: unknown key (the old format's keys are ${[...CONVERTED, ...Object.keys(NOT_APPLIED)].join(", ")})`);
  }
  const block = (key: string): Obj => {
    if (raw[key] !== undefined && !isObj(raw[key])) problems.push(`${key}: expected an object`);
    return isObj(raw[key]) ? raw[key] : {};
  };
  const serverInfo = block("server_info");
  const paths = block("paths");
  const logSettings = block("log_settings");
  const bkpSystem = block("bkp_system");

  const server: Obj = { name: sanitizeName(String(serverInfo.server_name ?? hostname())) };
  if (serverInfo.location !== undefined) server.location = String(serverInfo.location);
  rest(serverInfo, "server_info", ["server_name", "location"], "descriptive only: not carried over", unmapped);

  const localPath = pathSetting(paths, bkpSystem, unmapped);
  const options: Obj = {};
  const logDir = typeof paths.log_path === "string" ? paths.log_path : typeof logSettings.log_dir === "string" ? logSettings.log_dir : undefined;
  if (logDir !== undefined) options.log_file = join(logDir, "vya-backupdb.log");
  rest(logSettings, "log_settings", typeof paths.log_path === "string" ? [] : ["log_dir"], "not applied: use --log-level", unmapped);
  const retention = backupOptions(block("backup_options"), unmapped, problems);
  block("monitoring");
  const monitoring = convertMonitoring(raw);
  unmapped.push(...monitoring.unmapped);

  const filters = parseBackupFilters(raw.backup_filters);
  unmapped.push(...filters.unmapped);
  problems.push(...filters.problems);
  const filtersFor = (type: string): EngineFilters[] => [filters.byType.get(type), filters.byType.get("*")].filter((f): f is EngineFilters => f !== undefined);
  const entryContext = (where: string, index: number, type: string) => ({ where, index, filters: filtersFor(type), unmapped, problems });

  if (raw.db_config !== undefined && !Array.isArray(raw.db_config)) problems.push("db_config: expected a list");
  const entries = Array.isArray(raw.db_config) ? raw.db_config : [];
  const instances = entries.flatMap((entry, index) => {
    if (!isObj(entry)) {
      problems.push(`db_config[${index}]: expected an object`);
      return [];
    }
    return [convertEntry(entry, entryContext(`db_config[${index}]`, index, typeOf(entry.dbms)))];
  });
  // The older variant keeps one server per engine under `databases`.
  let nextId = Math.max(0, ...instances.map((i) => Number(i.id) || 0)) + 1;
  for (const [engine, value] of Object.entries(block("databases"))) {
    if (!isObj(value)) continue;
    const entry = { ...value, dbms: engine, id_dbms: value.id_dbms ?? nextId++ };
    instances.push(convertEntry(entry, entryContext(`databases.${engine}`, instances.length, typeOf(engine))));
  }
  const usedTypes = new Set(instances.map((i) => String(i.type)));
  for (const [type, f] of filters.byType) {
    if (type !== "*" && !usedTypes.has(type)) unmapped.push(`${f.where} (no ${type} instance to apply it to)`);
  }

  const config: Obj = { server, storage: { local: { path: localPath } }, instances };
  if (Object.keys(options).length > 0) config.options = options;
  if (monitoring.notifications) config.notifications = monitoring.notifications;
  if (monitoring.metrics) config.metrics = monitoring.metrics;
  if (retention) config.retention = retention;
  if (raw.schedule !== undefined) {
    const schedule = convertLegacySchedule(block("schedule"), unmapped, problems);
    if (schedule) config.schedule = schedule;
  }
  return { config, unmapped, problems };
}

const typeOf = (dbms: unknown) => {
  const name = String(dbms ?? "").toLowerCase();
  return LEGACY_DBMS[name] ?? name;
};

/** paths.backup_path (else bkp_system.path_zip) → storage.local.path; the old staging paths are named. */
function pathSetting(paths: Obj, bkpSystem: Obj, unmapped: string[]): string {
  const notUsed = (where: string) => `${where} (not used: dumps stream straight into the archives under storage.local.path)`;
  let local: string | undefined;
  if (typeof paths.backup_path === "string") local = paths.backup_path;
  else if (typeof bkpSystem.path_zip === "string") local = bkpSystem.path_zip;
  for (const key of Object.keys(paths)) {
    if (key === "backup_path" || key === "log_path") continue;
    unmapped.push(key === "zip_path" ? notUsed("paths.zip_path") : `paths.${key} (no equivalent)`);
  }
  for (const key of Object.keys(bkpSystem)) {
    if (key === "path_zip" && local === bkpSystem.path_zip) continue;
    unmapped.push(key.startsWith("retention") ? `bkp_system.${key} (retention is not applied by this version)` : key.startsWith("path_") ? notUsed(`bkp_system.${key}`) : `bkp_system.${key} (no equivalent)`);
  }
  if (local !== undefined) return local;
  unmapped.push(`paths.backup_path (not set: archives go to ${DEFAULT_LOCAL_PATH})`);
  return DEFAULT_LOCAL_PATH;
}

/** Returns the retention block the old retention_days / max_backup_age_days become (the longer wins). */
function backupOptions(options: Obj, unmapped: string[], problems: string[]): Obj | undefined {
  let days: number | undefined;
  for (const [key, value] of Object.entries(options)) {
    if (key === "compress" || key === "create_zip") {
      // Archives are always compressed: only "off" differs from what happens.
      if (value === false) unmapped.push(`backup_options.${key}: false (archives are always compressed)`);
    } else if (key === "retention_days" || key === "max_backup_age_days") {
      // The old tool deleted archives older than N days; keep_within measures from the newest
      // backup instead, so a stopped timer never deletes everything later, and min_keep 1 floors it.
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1) problems.push(`backup_options.${key}: expected a whole number of days, got ${JSON.stringify(value)}`);
      else days = Math.max(days ?? 0, value);
    } else {
      unmapped.push(`backup_options.${key} (no equivalent)`);
    }
  }
  return days === undefined ? undefined : { keep_within: `${days}d`, min_keep: 1 };
}

/** Names every key of `block` not in `handled`. */
function rest(block: Obj, where: string, handled: string[], why: string, unmapped: string[]): void {
  for (const key of Object.keys(block)) if (!handled.includes(key)) unmapped.push(`${where}.${key} (${why})`);
}

function sanitizeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned || "server";
}
