import { Counter, Gauge, Registry } from "prom-client";
import type { Config } from "../config/schema.js";
import { describeError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";
import { VERSION } from "../version.js";
import type { MetricsOutcome } from "./publish.js";
import { pushMetrics } from "./pushgateway.js";
import { writeTextfile } from "./textfile.js";

export interface RestoreRun {
  ok: boolean;
  durationMs: number;
  completedAt: Date;
  /** "database" or "files" when known (the archive was resolved). */
  kind?: string | undefined;
}

/** The old tool's restore metrics, for the last restore. */
export function restoreRegistry(run: RestoreRun): Registry {
  const registry = new Registry();
  new Gauge({ name: "vya_backupdb_build_info", help: "Always 1; the tool's version as a label.", labelNames: ["version"], registers: [registry] }).set({ version: VERSION }, 1);
  const total = new Counter({ name: "vya_restore_total", help: "The last restore, by status (old tool's name; per push it counts that one restore).", labelNames: ["status"], registers: [registry] });
  total.inc({ status: "success" }, run.ok ? 1 : 0);
  total.inc({ status: "failed" }, run.ok ? 0 : 1);
  new Gauge({ name: "vya_restore_duration_seconds", help: "Duration of the last restore (old tool's name).", registers: [registry] }).set(run.durationMs / 1000);
  new Gauge({ name: "vya_restore_last_timestamp_seconds", help: "When the last restore ended.", registers: [registry] }).set(run.completedAt.getTime() / 1000);
  new Gauge({ name: "vya_restore_success", help: "1 when the last restore succeeded, else 0.", registers: [registry] }).set(run.ok ? 1 : 0);
  return registry;
}

/** `…/vya-backupdb.prom` → `…/vya-backupdb-<command>.prom`: a restore or cleanup never replaces the backup's file. */
export function commandTextfile(path: string, command: "restore" | "cleanup"): string {
  return path.replace(/(\.prom)?$/, `-${command}.prom`);
}

/**
 * After a restore: pushed to its own group (`command="restore"`), so it never replaces the
 * backup's metrics, and written to its own textfile. Never throws.
 */
export async function publishRestoreMetrics(run: RestoreRun, ctx: PublishContext): Promise<MetricsOutcome[]> {
  return publishCommandMetrics("restore", restoreRegistry(run), ctx);
}

export interface PublishContext {
  config: Config;
  logger: Logger;
  redactor: Redactor;
}

/** A command's own metrics group (`command=<name>`) and textfile (`-<name>.prom`). Never throws. */
export async function publishCommandMetrics(command: "restore" | "cleanup", registry: Registry, ctx: PublishContext): Promise<MetricsOutcome[]> {
  const metrics = ctx.config.metrics;
  const outcomes: MetricsOutcome[] = [];
  if (!metrics) return outcomes;
  const targets: [MetricsOutcome["target"], () => Promise<void>][] = [];
  const push = metrics.pushgateway;
  if (push) targets.push(["pushgateway", () => pushMetrics(push, { instance: ctx.config.server.name, command }, registry)]);
  const file = metrics.textfile;
  if (file) targets.push(["textfile", () => writeTextfile(commandTextfile(file, command), registry)]);
  for (const [target, work] of targets) {
    try {
      await work();
      outcomes.push({ target, status: "sent" });
    } catch (err) {
      const error = ctx.redactor.redact(describeError(err));
      ctx.logger.warn({ target, err: error }, `publishing ${command} metrics failed (the exit code is unchanged)`);
      outcomes.push({ target, status: "failed", error });
    }
  }
  return outcomes;
}
