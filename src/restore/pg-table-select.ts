import { UsageError } from "../util/errors.js";
import type { TocEntry } from "./pg-toc.js";

/**
 * Which entries of a custom-format dump restore exactly the tables named by --tables: the
 * tables, their partitions (and inheritance children), everything that hangs off them (data,
 * constraints, indexes, defaults, owned sequences, triggers, comments, grants…), the schemas
 * the target lacks, and — in a new database, or in a schema the target lacks — the types and
 * functions they need. Entries that would need a table left out (a foreign key to it) are
 * skipped and reported.
 */

/** Entries that belong to the relations they depend on. */
const ATTACHED = new Set([
  "TABLE DATA", "CONSTRAINT", "CHECK CONSTRAINT", "FK CONSTRAINT", "INDEX", "INDEX ATTACH", "TABLE ATTACH", "TRIGGER", "DEFAULT",
  "SEQUENCE", "SEQUENCE OWNED BY", "SEQUENCE SET", "COMMENT", "ACL", "SECURITY LABEL", "POLICY", "ROW SECURITY", "RULE", "STATISTICS",
]);
/** Entries that are (parts of) relations: never pulled in as a mere prerequisite. */
const RELATION = new Set([
  "TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "SEQUENCE", "INDEX", "CONSTRAINT", "CHECK CONSTRAINT", "FK CONSTRAINT",
  "TABLE DATA", "DEFAULT", "TRIGGER", "RULE", "POLICY", "MATERIALIZED VIEW DATA",
]);
/** Archive-wide settings pg_restore always applies; never listed. */
const NEVER = new Set(["ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE", "DATABASE PROPERTIES"]);

export interface TableRef {
  schema: string;
  name: string;
}

export interface TableSelection {
  /** Entry ids to restore, in archive order (pg_restore --use-list restores in list order). */
  ids: number[];
  tables: TableRef[];
  /** "FK CONSTRAINT sales.orders_customer_id_fkey: needs sales.customers, not restored" */
  skipped: string[];
}

const qualified = (e: TocEntry) => `${e.namespace}.${e.tag}`;

/** The TABLE entries the names designate: "schema.name" or a name unique across schemas. */
export function resolveTables(toc: readonly TocEntry[], names: readonly string[]): TocEntry[] {
  const tables = toc.filter((e) => e.desc === "TABLE");
  const chosen = new Map<number, TocEntry>();
  for (const name of names) {
    const exact = tables.filter((e) => qualified(e) === name);
    const matches = exact.length > 0 ? exact : tables.filter((e) => e.tag === name);
    if (matches.length === 0) {
      const similar = tables.filter((e) => e.tag.toLowerCase() === (name.split(".").pop() ?? name).toLowerCase()).map(qualified);
      throw new UsageError(`--tables: no table "${name}" in the dump${similar.length > 0 ? ` (did you mean ${similar.join(", ")}?)` : ""}; nothing was changed`);
    }
    if (matches.length > 1) {
      throw new UsageError(`--tables: "${name}" names ${matches.length} tables: ${matches.map(qualified).join(", ")}; name one with its schema; nothing was changed`);
    }
    const [match] = matches;
    if (match) chosen.set(match.id, match);
  }
  return [...chosen.values()];
}

export interface SelectOptions {
  /** Schemas the target database has already. */
  targetSchemas: ReadonlySet<string>;
  /** The target was created for this restore: types, functions… it needs come along. */
  newDatabase: boolean;
}

export function selectTableEntries(toc: readonly TocEntry[], names: readonly string[], options: SelectOptions): TableSelection {
  const byId = new Map(toc.map((e) => [e.id, e]));
  const selected = new Set(resolveTables(toc, names).map((e) => e.id));
  const missingSchema = (e: TocEntry) => e.namespace !== "" && !options.targetSchemas.has(e.namespace);
  const relationDepsMissing = (e: TocEntry) => e.deps.filter((d) => !selected.has(d) && RELATION.has(byId.get(d)?.desc ?? ""));

  for (let changed = true; changed; ) {
    changed = false;
    const add = (e: TocEntry) => {
      if (!selected.has(e.id) && !NEVER.has(e.desc)) {
        selected.add(e.id);
        changed = true;
      }
    };
    for (const e of toc) {
      if (selected.has(e.id)) {
        // Prerequisites that are not relations (types, functions, collations…), where the target lacks them.
        for (const d of e.deps) {
          const dep = byId.get(d);
          if (dep && !RELATION.has(dep.desc) && dep.desc !== "SCHEMA" && (options.newDatabase || missingSchema(dep))) add(dep);
        }
        continue;
      }
      const onSelected = e.deps.some((d) => selected.has(d));
      if (!onSelected) continue;
      // Partitions and inheritance children of a chosen table.
      if (e.desc === "TABLE" && e.deps.some((d) => byId.get(d)?.desc === "TABLE" && selected.has(d))) add(e);
      else if (ATTACHED.has(e.desc) && relationDepsMissing(e).length === 0) add(e);
    }
  }
  // The schemas of everything chosen that the target does not have yet.
  const schemas = new Set([...selected].map((id) => byId.get(id)).filter((e): e is TocEntry => e !== undefined && missingSchema(e)).map((e) => e.namespace));
  for (const e of toc) if (e.desc === "SCHEMA" && schemas.has(e.tag)) selected.add(e.id);
  // Comments and grants of those schemas.
  for (const e of toc) if ((e.desc === "COMMENT" || e.desc === "ACL") && e.deps.length > 0 && e.deps.every((d) => selected.has(d) && byId.get(d)?.desc === "SCHEMA")) selected.add(e.id);

  // Left out although they belong to a chosen table (tags of such entries start with the table's name).
  const chosenTables = toc.filter((e) => selected.has(e.id) && e.desc === "TABLE");
  const belongs = (e: TocEntry) => chosenTables.some((t) => t.namespace === e.namespace && e.tag.startsWith(`${t.tag} `));
  const skipped = toc
    .filter((e) => !selected.has(e.id) && ATTACHED.has(e.desc) && e.deps.some((d) => selected.has(d)) && belongs(e))
    .map((e) => {
      const needs = relationDepsMissing(e).map((d) => byId.get(d)).filter((d): d is TocEntry => d !== undefined);
      return `${e.desc} ${qualified(e)}: needs ${needs.map((d) => `${d.desc} ${qualified(d)}`).join(", ")} (not restored)`;
    });
  return {
    ids: toc.filter((e) => selected.has(e.id)).map((e) => e.id),
    tables: chosenTables.map((e) => ({ schema: e.namespace, name: e.tag })),
    skipped,
  };
}

/** The --use-list file: one "<id>;" line per entry (pg_restore reads the leading number). */
export function useList(ids: readonly number[]): string {
  return ids.map((id) => `${id};\n`).join("");
}
