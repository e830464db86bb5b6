import type { RunContext } from "../run/context.js";
import type { UnitOutcome } from "../run/report.js";
import { openLocal } from "../storage/registry.js";
import type { Storage } from "../storage/storage.js";
import { runCleanup } from "./cleanup.js";
import { groupKey, hasAnyPolicy } from "./groups.js";
import { summaryOf, type CleanupSummary } from "./summary.js";

/**
 * The cleanup a backup runs when it is over (options.cleanup_after_backup): only the groups
 * whose backup succeeded in this run, on local storage and on each remote no upload of this
 * run failed on (a remote that missed a copy keeps its older backups until a run reaches it).
 * Undefined when there is nothing to do (no policy, nothing succeeded, interrupted).
 */
export async function cleanupAfterBackup(outcomes: readonly UnitOutcome[], remotes: readonly Storage[], ctx: RunContext): Promise<CleanupSummary | undefined> {
  if (!ctx.config.options.cleanup_after_backup || !hasAnyPolicy(ctx.config) || ctx.signal.aborted) return undefined;
  const succeeded = outcomes.filter((o) => o.status === "success" && o.kind !== "instance");
  if (succeeded.length === 0) return undefined;
  const groupKeys = new Set(succeeded.map((o) => groupKey(o.instance.id, o.kind as "database" | "globals" | "files" | "basebackup", o.database)));
  const failed = new Set(outcomes.flatMap((o) => (o.remotes ?? []).filter((r) => r.status !== "success").map((r) => r.remote)));
  const result = await runCleanup(
    {
      dryRun: false,
      force: false,
      storages: [openLocal(ctx.config), ...remotes.filter((r) => !failed.has(r.name))],
      skipped: [...failed].map((storage) => ({ storage, reason: "an upload to it failed in this run" })),
      instanceIds: null,
      groupKeys,
    },
    ctx,
  );
  return summaryOf(result);
}
