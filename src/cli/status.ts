import type { Command } from "commander";
import { openReadStorage } from "../catalog/storage.js";
import { selectInstances } from "../run/select.js";
import { collectStatus } from "../status/collect.js";
import { formatAge, type StatusRow } from "../status/freshness.js";
import { NAGIOS, nagiosLine } from "../status/nagios.js";
import { freshnessThreshold, type Threshold } from "../status/threshold.js";
import { describeError, EXIT } from "../util/errors.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { formatBytes, renderTable } from "./table.js";

const collect = (value: string, previous: string[]) => [...previous, value];

interface StatusFlags {
  instance: string[];
  storage?: string;
  nagios?: boolean;
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("freshness of the newest backup of each instance and database, read from the catalogue")
    .option("-i, --instance <id|name>", "only this instance (repeatable)", collect, [])
    .option("--storage <name>", "the storage to read (default: local)")
    .option("--nagios", "print one Nagios/Icinga plugin line and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
    .option("--json", "print the rows as JSON on stdout")
    .addHelpText(
      "after",
      `
States: fresh (newest completed backup younger than status.max_age; unset: completed after the
latest scheduled start of schedule.on_calendar whose run is over by now; else 26h), stale,
never (no backup), failed (the newest run did not complete it, as its run record or the
last-run state file in options.state_dir says). A PITR instance adds a (wal) row: the newest
archived WAL segment against pitr.max_wal_age (default 1h). Exit codes: 0 all fresh, 1 anything else, 2 usage or config error; with --nagios the
plugin codes above (a config error is UNKNOWN).`,
    )
    .action(async (flags: StatusFlags, command: Command) => {
      const globals = globalsOf(command);
      if (!flags.nagios) return printStatus(flags, globals);
      // A monitoring plugin always answers with one line and a plugin code, even when the config is broken.
      try {
        const { rows, maxAgeSeconds } = await readStatus(flags, globals);
        const { code, line } = nagiosLine(rows, maxAgeSeconds);
        process.stdout.write(`${line}\n`);
        process.exitCode = code;
      } catch (err) {
        process.stdout.write(`VYA-BACKUPDB UNKNOWN - ${describeError(err).split("\n").join(" ")}\n`);
        process.exitCode = NAGIOS.unknown;
      }
    });
}

async function readStatus(flags: StatusFlags, globals: ReturnType<typeof globalsOf>) {
  const session = await openSession({ ...globals, logLevel: flags.nagios ? "error" : globals.logLevel });
  const config = session.loaded.config;
  const instances = selectInstances(config, flags.instance);
  const now = new Date();
  const threshold = freshnessThreshold(config, now);
  const storage = await openReadStorage(config, flags.storage, { redactor: session.redactor, logger: session.logger });
  try {
    const { rows, running } = await collectStatus(config, session.loaded.file, instances, storage, threshold, now);
    return { session, rows, running, threshold, maxAgeSeconds: Math.round(threshold.maxAgeMs / 1000), root: storage.describe("") };
  } finally {
    await storage.close();
  }
}

async function printStatus(flags: StatusFlags, globals: ReturnType<typeof globalsOf>): Promise<void> {
  const { session, rows, running, threshold, maxAgeSeconds, root } = await readStatus(flags, globals);
  const ok = rows.length > 0 && rows.every((r) => r.state === "fresh");
  const text = globals.json ? session.redactor.json({ ok, running, max_age_seconds: maxAgeSeconds, threshold: { source: threshold.source, ...(threshold.scheduled ? { scheduled_start: threshold.scheduled.start, due: threshold.scheduled.due } : {}) }, storage: root, rows }) : session.redactor.redact(renderStatus(rows, running, maxAgeSeconds, threshold));
  process.stdout.write(`${text}\n`);
  process.exitCode = ok ? EXIT.ok : EXIT.failed;
}

function renderStatus(rows: readonly StatusRow[], running: boolean, maxAgeSeconds: number, threshold: Threshold): string {
  if (rows.length === 0) return "no enabled instance in the config";
  const table = renderTable(
    ["state", "instance", "database", "newest backup (UTC)", "age", "size"],
    rows.map((r) => [
      r.state.toUpperCase(),
      r.instance,
      r.database ?? "-",
      r.newest ? r.newest.completed_at.replace("T", " ").replace(/\.\d+Z$/, "") : "-",
      r.age_seconds === null ? "-" : formatAge(r.age_seconds),
      formatBytes(r.newest?.size_bytes),
    ]),
  );
  const notes = rows.filter((r) => r.detail).map((r) => `${r.instance}${r.database ? `/${r.database}` : ""}: ${r.detail}`);
  const fresh = rows.filter((r) => r.state === "fresh").length;
  const summary = `${fresh} of ${rows.length} fresh (threshold ${formatAge(maxAgeSeconds)}${threshold.source === "schedule" ? " from schedule.on_calendar" : ""})${running ? "; a backup is running now" : ""}`;
  return [table, ...notes, summary].join("\n");
}
