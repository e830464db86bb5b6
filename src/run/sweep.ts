import { lstat, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix, resolve } from "node:path";
import { pathSegment } from "../catalog/naming.js";
import type { Config } from "../config/schema.js";
import type { Storage } from "../storage/storage.js";
import { parseAgeMs } from "../util/age.js";
import { CRED_PREFIX } from "../util/credentials.js";
import { describeError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { currentHost, ownerState, parseOwner, type Owner } from "../util/owner.js";
import { runtimeDir } from "../util/runtime-dir.js";

/**
 * Every backup starts by removing what earlier runs left when they were killed without a chance
 * to clean up (SIGKILL, OOM killer, power loss): credential folders, dump spools, partial
 * archives and partial remote uploads. A leftover is removed only when its owner process is
 * gone (the owner tag in its name, util/owner.ts), or, when that cannot be told (another
 * machine, a name without a tag), once it is older than options.leftover_grace (24h). A
 * concurrent run's files are never touched: their owner is alive.
 */
export interface SweptItem {
  /** "local", "runtime", "tmp" or a remote's name. */
  storage: string;
  /** Path (local) or location (remote) of what was removed. */
  path: string;
  kind: "credentials" | "spool" | "partial" | "download";
  bytes: number;
  reason: string;
}

export const DEFAULT_GRACE = "24h";

export interface SweepContext {
  config: Config;
  logger: Logger;
  now?: Date;
}

type Verdict = { remove: false } | { remove: true; reason: string };

/** Whether a leftover named `name`, last modified at `modifiedMs`, is to be removed. Pure but for the process table. */
export function leftoverVerdict(name: string, modifiedMs: number, options: { nowMs: number; graceMs: number; grace: string; here?: Pick<Owner, "host" | "boot"> }): Verdict {
  const owner = parseOwner(name);
  if (owner) {
    const state = ownerState(owner, options.here);
    if (state.state === "dead") return { remove: true, reason: state.reason };
    if (state.state === "alive") return { remove: false };
  }
  if (options.nowMs - modifiedMs <= options.graceMs) return { remove: false };
  return { remove: true, reason: `older than ${options.grace} (${owner ? "written from another machine" : "no owner in its name"})` };
}

/** What a name in a temporary directory is, when it is one of ours. */
function tempKind(name: string): SweptItem["kind"] | null {
  if (name.startsWith(CRED_PREFIX)) return "credentials";
  if (name.startsWith(".vya-spool-")) return "spool";
  if (/^vya-(fetch|pgrestore|restoretest|decrypt|wal)-/.test(name)) return "download";
  return null;
}

const PARTIAL_FILE = /^\..+\.partial$/;

function graceOf(config: Config): { grace: string; graceMs: number } {
  const grace = config.options.leftover_grace ?? DEFAULT_GRACE;
  return { grace, graceMs: parseAgeMs(grace) ?? (parseAgeMs(DEFAULT_GRACE) as number) };
}

/** Newest modification and total size of a file, or of a folder and what it directly holds. */
async function measure(path: string): Promise<{ modifiedMs: number; bytes: number }> {
  const info = await lstat(path);
  if (!info.isDirectory()) return { modifiedMs: info.mtimeMs, bytes: info.size };
  let modifiedMs = info.mtimeMs;
  let bytes = 0;
  for (const entry of await readdir(path)) {
    const inner = await lstat(join(path, entry)).catch(() => undefined);
    if (!inner) continue;
    modifiedMs = Math.max(modifiedMs, inner.mtimeMs);
    bytes += inner.size;
  }
  return { modifiedMs, bytes };
}

/** The local places: the runtime dir, tmp_dir and the system temp dir (ours only), the local storage tree. */
export async function sweepLocal(ctx: SweepContext): Promise<SweptItem[]> {
  const { grace, graceMs } = graceOf(ctx.config);
  const options = { nowMs: (ctx.now ?? new Date()).getTime(), graceMs, grace, here: currentHost() };
  const swept: SweptItem[] = [];
  const uid = process.getuid?.();

  const consider = async (storage: string, path: string, name: string, kind: SweptItem["kind"]) => {
    try {
      const { modifiedMs, bytes } = await measure(path);
      const verdict = leftoverVerdict(name, modifiedMs, options);
      if (!verdict.remove) return;
      await rm(path, { recursive: true, force: true });
      swept.push({ storage, path, kind, bytes, reason: verdict.reason });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // its owner removed it meanwhile
      ctx.logger.warn({ path, err: describeError(err) }, "cannot remove a leftover of an earlier run");
    }
  };

  const tempDirs = new Map<string, string>();
  try {
    tempDirs.set(resolve(await runtimeDir()), "runtime");
  } catch (err) {
    ctx.logger.warn({ err: describeError(err) }, "cannot look for leftover credential files");
  }
  for (const dir of [ctx.config.options.tmp_dir, tmpdir()]) if (dir && !tempDirs.has(resolve(dir))) tempDirs.set(resolve(dir), "tmp");
  for (const [dir, storage] of tempDirs) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const kind = tempKind(entry.name);
      if (!kind || !entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      // A shared temp dir holds other users' files too: only our own are candidates.
      const owner = await lstat(path).then((s) => s.uid, () => undefined);
      if (uid !== undefined && owner !== uid) continue;
      await consider(storage, path, entry.name, kind);
    }
  }

  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name.startsWith(".vya-spool-")) await consider("local", path, entry.name, "spool");
        else await walk(path);
      } else if (entry.isFile() && PARTIAL_FILE.test(entry.name)) await consider("local", path, entry.name, "partial");
    }
  };
  await walk(join(ctx.config.storage.local.path, pathSegment(ctx.config.server.name)));
  return swept;
}

/**
 * A remote's partial uploads below this server's prefix. A remote cannot see processes: a tag of
 * this machine is still checked here, anything else is removed once older than the grace period.
 */
export async function sweepRemote(storage: Storage, ctx: SweepContext): Promise<SweptItem[]> {
  const { grace, graceMs } = graceOf(ctx.config);
  const options = { nowMs: (ctx.now ?? new Date()).getTime(), graceMs, grace, here: currentHost() };
  const swept: SweptItem[] = [];
  let objects;
  try {
    objects = await storage.list(`${pathSegment(ctx.config.server.name)}/`);
  } catch (err) {
    ctx.logger.warn({ remote: storage.name, err: describeError(err) }, "cannot look for partial uploads of earlier runs");
    return swept;
  }
  for (const object of objects) {
    const name = posix.basename(object.key);
    if (!PARTIAL_FILE.test(name)) continue;
    const verdict = leftoverVerdict(name, object.modified.getTime(), options);
    if (!verdict.remove) continue;
    try {
      await storage.delete(object.key);
      swept.push({ storage: storage.name, path: storage.describe(object.key), kind: "partial", bytes: object.size, reason: verdict.reason });
    } catch (err) {
      ctx.logger.warn({ remote: storage.name, key: object.key, err: describeError(err) }, "cannot remove a partial upload of an earlier run");
    }
  }
  return swept;
}

/** Logs each removal (the JSON report lists them too). */
export function logSwept(items: readonly SweptItem[], logger: Logger): void {
  for (const item of items) logger.info({ storage: item.storage, path: item.path, kind: item.kind, bytes: item.bytes, reason: item.reason }, "removed a leftover of an earlier run");
}
