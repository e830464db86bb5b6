/**
 * The old tool's `backup_filters`: either flat ({ included_databases, … }) for every engine, or
 * one block per engine ({ mysql: {…}, postgresql: {…} }). Each filter is either converted onto
 * the instances of its engine or named in the warning; a key the old tool did not have is an
 * error, because a misspelt `included_databases` would silently widen the backup.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface EngineFilters {
  /** Where they came from, for messages: "backup_filters.mysql". */
  where: string;
  included_databases: string[];
  excluded_databases: string[];
  excluded_tables: string[];
}

/** Old engine names → the instance type they apply to. */
export const LEGACY_DBMS: Record<string, string> = { mysql: "mysql", mariadb: "mysql", postgresql: "postgres", postgres: "postgres", files: "files" };

const CONVERTED = ["included_databases", "excluded_databases", "excluded_tables"] as const;
/** Filters the old tool knew that have no equivalent here: named in the warning. */
const NOT_APPLIED: Record<string, string> = {
  included_schemas: "not applied: every schema is dumped",
  excluded_schemas: "not applied: every schema is dumped",
  included_tables: "not applied: every table is dumped",
};

export interface ParsedFilters {
  /** Per instance type ("mysql", "postgres"); the flat block is under "*". */
  byType: Map<string, EngineFilters>;
  unmapped: string[];
  problems: string[];
}

export function parseBackupFilters(raw: unknown): ParsedFilters {
  const parsed: ParsedFilters = { byType: new Map(), unmapped: [], problems: [] };
  if (raw === undefined) return parsed;
  if (!isObj(raw)) {
    parsed.problems.push("backup_filters: expected an object");
    return parsed;
  }
  const flat: Obj = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key in LEGACY_DBMS && isObj(value)) readBlock(value, `backup_filters.${key}`, LEGACY_DBMS[key]!, parsed);
    else flat[key] = value;
  }
  if (Object.keys(flat).length > 0) readBlock(flat, "backup_filters", "*", parsed);
  return parsed;
}

function readBlock(block: Obj, where: string, type: string, parsed: ParsedFilters): void {
  const filters: EngineFilters = { where, included_databases: [], excluded_databases: [], excluded_tables: [] };
  for (const [key, value] of Object.entries(block)) {
    if ((CONVERTED as readonly string[]).includes(key)) {
      const list = toList(value);
      if (list === null) parsed.problems.push(`${where}.${key}: expected a list of names`);
      else filters[key as (typeof CONVERTED)[number]] = list;
    } else if (key in NOT_APPLIED) {
      if (toList(value)?.length !== 0) parsed.unmapped.push(`${where}.${key} (${NOT_APPLIED[key]})`);
    } else {
      parsed.problems.push(`${where}.${key}: unknown key (the old tool's filters are ${[...CONVERTED, ...Object.keys(NOT_APPLIED)].join(", ")}, per engine: mysql, postgresql)`);
    }
  }
  // mysql and mariadb blocks both apply to mysql instances.
  const earlier = parsed.byType.get(type);
  if (earlier) for (const key of CONVERTED) filters[key] = [...earlier[key], ...filters[key]];
  parsed.byType.set(type, filters);
}

/** A list of names; the old tool also wrote "a,b" and "" for none. */
export function toList(value: unknown): string[] | null {
  if (value === undefined || value === null || value === "") return [];
  if (typeof value === "string") return value.split(",").map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.filter((v) => v !== "");
  return null;
}
