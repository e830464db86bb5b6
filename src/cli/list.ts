import type { Command } from "commander";
import { filterCatalog, parseSince } from "../catalog/filter.js";
import { listCatalog, type CatalogEntry } from "../catalog/list.js";
import { openReadStorage } from "../catalog/storage.js";
import { selectInstances } from "../run/select.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { formatBytes, renderTable } from "./table.js";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerList(program: Command): void {
  program
    .command("list")
    .alias("restore-list")
    .description("list the backups in storage (read from their sidecars), newest first")
    .option("-i, --instance <id|name>", "only this instance (repeatable)", collect, [])
    .option("-d, --database <name>", "only this database (repeatable)", collect, [])
    .option("--since <when>", "only backups started since a date (2026-01-31, 2026-01-31T12:00Z) or an age (36h, 7d, 2w)")
    .option("--all", "also show archives without a sidecar (unfinished or foreign), marked incomplete")
    .option("--storage <name>", "the storage to read (default: local)")
    .option("--json", "print an array of sidecars, each with the archive's name and location")
    .addHelpText(
      "after",
      `
The archive name printed is what restore --file and verify --file accept. A sidecar that cannot
be read is shown on its line as CORRUPT SIDECAR, an archive whose size differs from its sidecar as
DAMAGED, a sidecar without its archive as ARCHIVE MISSING; the listing goes on. Exit codes: 0 listed, 2 usage or
config error.`,
    )
    .action(async (opts: { instance: string[]; database: string[]; since?: string; all?: boolean; storage?: string }, command: Command) => {
      const globals = globalsOf(command);
      const session = await openSession(globals);
      // An instance the config does not know is a typo, as for backup -i.
      selectInstances(session.loaded.config, opts.instance);
      const since = opts.since === undefined ? null : parseSince(opts.since);
      const storage = await openReadStorage(session.loaded.config, opts.storage, { redactor: session.redactor, logger: session.logger });
      try {
        const entries = filterCatalog(await listCatalog(storage), { instances: opts.instance, databases: opts.database, since, all: opts.all === true });
        const text = globals.json ? session.redactor.json(entries.map(toJson)) : session.redactor.redact(renderList(entries, storage.describe("")));
        process.stdout.write(`${text}\n`);
      } finally {
        await storage.close();
      }
    });
}

function toJson(entry: CatalogEntry): Record<string, unknown> {
  const where = { name: entry.name, key: entry.key, storage: entry.storage, location: entry.location };
  if (entry.sidecar) return { ...entry.sidecar, ...where, state: entry.state, ...(entry.problem ? { problem: entry.problem } : {}) };
  return { ...where, status: entry.state, problem: entry.problem, size_bytes: entry.size };
}

function renderList(entries: readonly CatalogEntry[], root: string): string {
  if (entries.length === 0) return `no backups found in ${root}`;
  const rows = entries.map((e) => {
    const s = e.sidecar;
    const note = e.state === "complete" ? "" : `${e.state === "incomplete" ? "INCOMPLETE" : e.state === "corrupt" ? "CORRUPT SIDECAR" : e.state === "damaged" ? "DAMAGED" : "ARCHIVE MISSING"}: ${e.problem ?? ""}`;
    return [
      formatTime(e.time),
      s ? s.instance.name : (e.key.split("/")[1] ?? "-"),
      s ? (s.kind === "files" ? "(files)" : s.kind === "globals" ? "(globals)" : s.kind === "basebackup" ? "(base backup)" : (s.database ?? "-")) : "-",
      formatBytes(e.size ?? undefined),
      e.name,
      note,
    ];
  });
  const problems = entries.filter((e) => e.state !== "complete").length;
  const summary = `${entries.length - problems} backup${entries.length - problems === 1 ? "" : "s"}${problems ? `, ${problems} with problems` : ""} in ${root}`;
  return `${renderTable(["date (UTC)", "instance", "database", "size", "archive", "note"], rows)}\n${summary}`;
}

function formatTime(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}
