import { ENCRYPTED_SUFFIX } from "../catalog/naming.js";
import type { MysqlInstance, PostgresInstance } from "../config/schema.js";
import { runBackup } from "../run/backup.js";
import type { RunContext } from "../run/context.js";
import { OperationError } from "../util/errors.js";
import { toolCommand } from "./cleanup-commands.js";

export interface SafetyBackup {
  /** The archive's path; `list` shows it like any backup. */
  archive: string;
  name: string;
}

/**
 * --mode safe: the target database as it is now, backed up with the normal pipeline (archive,
 * sidecar, remote copies), whole: no table excluded. Fails the restore before it starts if it fails.
 */
export async function takeSafetyBackup(instance: PostgresInstance | MysqlInstance, database: string, ctx: RunContext): Promise<SafetyBackup> {
  const whole = { ...instance, enabled: true, databases: [database], exclude_databases: [], exclude_tables: [] };
  const copy = whole.type === "postgres" ? { ...whole, globals: false } : whole;
  ctx.logger.info({ database }, "safety backup of the restore target started");
  const report = await runBackup({ instances: [copy], dryRun: false, purpose: "safety" }, ctx);
  const unit = report.units.find((u) => u.database === database && u.status === "success");
  if (!report.ok || !unit?.archive) {
    const why = report.units.find((u) => u.status === "failed")?.error ?? "no archive was written";
    throw new OperationError(`the safety backup of "${database}" failed (${why}); nothing was changed (use --mode fast to restore without one)`);
  }
  return { archive: unit.archive, name: unit.archive.split("/").pop() ?? unit.archive };
}

/**
 * The command that puts the safety backup back, with the config of this run (-c) and, for an
 * encrypted safety backup, the identity file this restore was given (--identity).
 */
export function rollbackCommand(safety: SafetyBackup, database: string, configFile?: string, identityFile?: string): string {
  const identity = identityFile && safety.name.endsWith(ENCRYPTED_SUFFIX) ? ["--identity", identityFile] : [];
  return toolCommand(["restore", "--file", safety.name, "--target", database, "--force", "--mode", "fast", ...identity], configFile);
}
