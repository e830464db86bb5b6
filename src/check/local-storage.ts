import { randomBytes } from "node:crypto";
import { mkdir, rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatBytes } from "../cli/table.js";
import { listCatalog } from "../catalog/list.js";
import { LocalStorage } from "../storage/local.js";
import { describeError } from "../util/errors.js";
import { fail, ok, warn, type CheckContext, type CheckResult } from "./result.js";

/**
 * Local storage: writable (a probe file written and removed), and free space against what the
 * last backups took: the newest archive of each unit, summed, is what the next run will write.
 */
export async function checkLocalStorage(ctx: CheckContext): Promise<CheckResult[]> {
  const root = ctx.config.storage.local.path;
  const results: CheckResult[] = [];
  try {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const probe = join(root, `.vya-backupdb-check-${randomBytes(6).toString("hex")}`);
    await writeFile(probe, "vya-backupdb check\n", { mode: 0o600 });
    await rm(probe, { force: true });
    results.push(ok("local storage writable", root, "a probe file was written and removed"));
  } catch (err) {
    return [fail("local storage writable", root, describeError(err), `create ${root} and give the backup user write access to it`)];
  }
  const fs = await statfs(root);
  const free = fs.bavail * fs.bsize;
  const needed = await lastRunSize(root, ctx.config.server.name);
  const detail = `${formatBytes(free)} free${needed === null ? ", no earlier backup to compare with" : `, the newest backups take ${formatBytes(needed)}`}`;
  if (needed !== null && free < needed) results.push(fail("local storage free space", root, detail, "free space there, or lower retention, before the next run"));
  else if (needed !== null && free < 2 * needed) results.push(warn("local storage free space", root, `${detail} (less than twice that)`, "free space before the backups grow"));
  else results.push(ok("local storage free space", root, detail));
  return results;
}

/** The size of the newest completed archive of each unit of this server, summed; null when there is none. */
async function lastRunSize(root: string, server: string): Promise<number | null> {
  const entries = (await listCatalog(new LocalStorage(root))).filter((e) => e.state === "complete" && e.sidecar?.server.name === server && e.sidecar.purpose !== "safety");
  if (entries.length === 0) return null;
  const newest = new Map<string, { time: string; size: number }>();
  for (const e of entries) {
    const unit = `${e.sidecar!.instance.name}\0${e.sidecar!.kind}\0${e.sidecar!.database ?? ""}`;
    const seen = newest.get(unit);
    if (!seen || e.time > seen.time) newest.set(unit, { time: e.time, size: e.sidecar!.archive.size_bytes });
  }
  return [...newest.values()].reduce((sum, v) => sum + v.size, 0);
}
