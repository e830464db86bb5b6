import { randomBytes } from "node:crypto";
import { instanceName, type Instance } from "../config/schema.js";
import { sourceFor } from "../sources/registry.js";
import type { BackupUnit } from "../sources/source.js";
import { commandOf, describeError, InterruptedError } from "../util/errors.js";
import { mapPool } from "../util/pool.js";
import { VERSION } from "../version.js";
import type { RunContext } from "./context.js";
import type { RunReport, UnitOutcome } from "./report.js";
import { runUnit } from "./unit.js";
import { openRemotes } from "../storage/registry.js";
import { probeRemotes, type ProbeOutcome } from "./probe.js";
import { logSwept, sweepLocal, sweepRemote, type SweptItem } from "./sweep.js";
import { writeRunRecords, type PlannedInstance } from "./run-records.js";
import { cleanupAfterBackup } from "../retention/after-backup.js";
import type { CleanupSummary } from "../retention/summary.js";

export interface BackupOptions {
  instances: Instance[];
  dryRun: boolean;
  /** "safety": a restore's backup of its target; marked in the sidecars, no run record (it is not a run). */
  purpose?: "safety" | undefined;
  /** Apply the retention policy afterwards (options.cleanup_after_backup; backup --no-cleanup: false). */
  cleanup?: boolean | undefined;
}

/**
 * plan (instances × databases) → run units with bounded concurrency → RunReport.
 * One instance or unit failing never stops the others.
 */
export async function runBackup(options: BackupOptions, ctx: RunContext): Promise<RunReport> {
  const started = new Date();
  const runId = randomBytes(3).toString("hex");
  const outcomes: UnitOutcome[] = [];
  const units: BackupUnit[] = [];
  const plans: PlannedInstance[] = [];

  for (const instance of options.instances) {
    const planned = await planInstance(instance, ctx);
    if ("error" in planned) {
      outcomes.push(planned.error);
      plans.push({ instance, units: [], ...(planned.error.error ? { error: planned.error.error } : {}) });
    } else {
      units.push(...planned.units);
      plans.push({ instance, units: planned.units });
    }
  }

  // Remotes connect lazily, on their first operation; closed once the run is over.
  const remotes = await openRemotes(ctx.config, { redactor: ctx.redactor, logger: ctx.logger });
  if (!options.dryRun && options.purpose !== "safety") await writeRunRecords(plans, runId, started, remotes, ctx);
  let probes: ProbeOutcome[] | undefined;
  let swept: SweptItem[] | undefined;
  let cleanup: CleanupSummary | undefined;
  if (options.dryRun) {
    if (remotes.length > 0) probes = await probeRemotes(remotes, ctx);
    for (const unit of units) {
      outcomes.push({
        instance: { id: unit.instance.id, name: instanceName(unit.instance), type: unit.instance.type },
        kind: unit.kind,
        database: unit.database,
        status: "planned",
        source: unit.describe,
        duration_ms: 0,
        warnings: [],
      });
    }
  } else {
    // What killed runs left goes first (their spools can be large).
    swept = await sweepLocal(ctx);
    logSwept(swept, ctx.logger);
    outcomes.push(...(await mapPool(units, ctx.config.options.concurrency, (unit) => runUnit(unit, { id: runId, purpose: options.purpose }, { ...ctx, remotes }))));
    // Remotes afterwards, and only those this run reached: a dead remote is not retried twice.
    // S3 has no partial objects (an unfinished multipart upload is not an object).
    const reached = remotes.filter((r) => r.kind !== "s3" && outcomes.some((o) => o.remotes?.some((c) => c.remote === r.name && c.status === "success")));
    const remoteSwept = (await Promise.all(reached.map((remote) => sweepRemote(remote, ctx)))).flat();
    logSwept(remoteSwept, ctx.logger);
    swept.push(...remoteSwept);
    if (options.cleanup === true && options.purpose !== "safety") cleanup = await cleanupAfterBackup(outcomes, remotes, ctx);
  }
  await Promise.all(remotes.map((remote) => remote.close().catch(() => undefined)));

  const completed = new Date();
  return {
    run_id: runId,
    tool_version: VERSION,
    server: ctx.config.server.name,
    dry_run: options.dryRun,
    started_at: started.toISOString(),
    completed_at: completed.toISOString(),
    duration_ms: completed.getTime() - started.getTime(),
    ok: outcomes.every((o) => o.status !== "failed") && (probes ?? []).every((p) => p.ok) && (cleanup?.ok ?? true) && !ctx.signal.aborted,
    interrupted: ctx.signal.aborted,
    units: outcomes,
    ...(probes ? { remotes: probes } : {}),
    ...(swept ? { swept } : {}),
    ...(cleanup ? { cleanup } : {}),
  };
}

async function planInstance(instance: Instance, ctx: RunContext): Promise<{ units: BackupUnit[] } | { error: UnitOutcome }> {
  const started = Date.now();
  const fail = (message: string) => ({
    error: {
      instance: { id: instance.id, name: instanceName(instance), type: instance.type },
      kind: "instance" as const,
      database: null,
      status: "failed" as const,
      duration_ms: Date.now() - started,
      warnings: [],
      error: ctx.redactor.redact(message),
    },
  });
  const source = await sourceFor(instance.type);
  if (!source) return fail(`backing up ${instance.type} instances is not supported by this version`);
  try {
    return { units: await source.plan(instance, { logger: ctx.logger.child({ instance: instanceName(instance) }), redactor: ctx.redactor, signal: ctx.signal }) };
  } catch (err) {
    // After an interrupt, whatever failed (a stopped psql, a probe) failed because of it.
    const message = ctx.signal.aborted ? describeError(new InterruptedError(ctx.signal)) : describeError(err);
    const command = commandOf(err);
    if (command) ctx.logger.debug({ instance: instanceName(instance), command: ctx.redactor.redact(command) }, "planning command failed");
    ctx.logger.error({ instance: instanceName(instance), err: ctx.redactor.redact(message) }, "planning failed");
    return fail(message);
  }
}
