import { lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { leftoverVerdict } from "../run/sweep.js";
import { currentHost, ownerTag } from "../util/owner.js";

/**
 * wal-push's private temporary folder, `<tmp>/vya-wal-<owner tag>-XXXXXX`, and the sweep of what
 * killed pushes left there. A push runs every few seconds on a busy server, so the sweep is
 * cheap (one readdir of the temp dir) and runs before each push: a folder goes when its owner
 * process is dead (its tag says which), or, untagged or from another machine, once older than
 * SCRATCH_GRACE (a push never takes that long). Only this user's `vya-wal-` folders are looked at.
 */
export const SCRATCH_PREFIX = "vya-wal-";
export const SCRATCH_GRACE = "15m";
const SCRATCH_GRACE_MS = 15 * 60_000;

export async function makeWalScratch(tmp: string): Promise<string> {
  return mkdtemp(join(tmp, `${SCRATCH_PREFIX}${ownerTag()}-`));
}

/** Removes dead pushes' folders in `tmp`; returns their paths. Never throws: a leftover is not worth failing a push for. */
export async function sweepWalScratch(tmp: string, now = Date.now()): Promise<string[]> {
  const uid = process.getuid?.();
  const options = { nowMs: now, graceMs: SCRATCH_GRACE_MS, grace: SCRATCH_GRACE, here: currentHost() };
  const removed: string[] = [];
  const entries = await readdir(tmp, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(SCRATCH_PREFIX)) continue;
    const path = join(tmp, entry.name);
    try {
      const info = await lstat(path);
      if (uid !== undefined && info.uid !== uid) continue;
      if (!leftoverVerdict(entry.name, info.mtimeMs, options).remove) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone meanwhile, or not ours to remove: the next push looks again.
    }
  }
  return removed;
}
