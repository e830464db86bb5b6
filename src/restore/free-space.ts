import { stat, statfs } from "node:fs/promises";
import { dirname } from "node:path";
import { formatBytes } from "../cli/table.js";
import { OperationError } from "../util/errors.js";
import type { FilesPlan } from "./files-plan.js";

/** Room kept free beyond the contents: directory blocks, temp names, and the rest of the system. */
const MARGIN_MIN = 1024 * 1024;
const MARGIN_SHARE = 0.01;
const PER_ENTRY = 4096;

/**
 * Refuses a files restore whose contents (sizes checked against the sidecar) would not fit,
 * before anything is written. Entries are grouped by the filesystem they land on (the device of
 * their nearest existing directory), so a restore to the original locations counts /var and
 * /home separately; each group must fit into what that filesystem has available.
 */
export async function checkFreeSpace(plan: FilesPlan): Promise<void> {
  const nearest = new Map<string, { dev: number; dir: string }>();
  const existing = async (path: string): Promise<{ dev: number; dir: string }> => {
    const known = nearest.get(path);
    if (known) return known;
    const info = await stat(path).catch(() => undefined);
    const found = info ? { dev: info.dev, dir: path } : dirname(path) === path ? { dev: -1, dir: path } : await existing(dirname(path));
    nearest.set(path, found);
    return found;
  };
  const byDevice = new Map<number, { dir: string; bytes: number; entries: number }>();
  for (const entry of plan.entries) {
    if (entry.skip) continue;
    const fs = await existing(dirname(entry.path));
    const group = byDevice.get(fs.dev) ?? { dir: fs.dir, bytes: 0, entries: 0 };
    group.bytes += entry.type === "file" ? entry.size : 0;
    group.entries++;
    byDevice.set(fs.dev, group);
  }
  for (const group of byDevice.values()) {
    const info = await statfs(group.dir);
    const available = info.bavail * info.bsize;
    const margin = Math.max(MARGIN_MIN, Math.ceil(group.bytes * MARGIN_SHARE)) + group.entries * PER_ENTRY;
    if (group.bytes + margin > available) {
      const where = group.dir === plan.root || plan.root.startsWith(`${group.dir}/`) ? plan.root : group.dir;
      throw new OperationError(
        `the archive holds ${formatBytes(group.bytes)} in ${group.entries} entries, but ${where} has only ${formatBytes(available)} free ` +
          `(with a margin of ${formatBytes(margin)}); nothing was restored`,
      );
    }
  }
}
