import { resolve } from "node:path";
import type { DatabaseInstance } from "../config/schema.js";
import { acquireLock, type HeldLock } from "../lock/lock.js";
import { restoreLockName } from "../lock/names.js";
import { describeHolder } from "../lock/holder.js";
import type { RunContext } from "../run/context.js";

/** A database restore's lock: the database on that server (host:port or socket), whoever restores into it. */
export function lockDatabaseTarget(instance: DatabaseInstance, target: string, waitMs: number, ctx: RunContext): Promise<HeldLock> {
  const server = instance.socket ?? `${instance.host}:${instance.port}`;
  return take(restoreLockName(`${instance.type}://${server}`, target), `restore target database "${target}" on ${server}`, waitMs, ctx);
}

/** A files restore's lock: the target directory (the original locations when none is given). */
export function lockFilesTarget(target: string | null, waitMs: number, ctx: RunContext): Promise<HeldLock> {
  const dir = target === null ? "(original locations)" : resolve(target);
  return take(restoreLockName("files", dir), `restore target ${dir}`, waitMs, ctx);
}

function take(name: string, what: string, waitMs: number, ctx: RunContext): Promise<HeldLock> {
  const onWait = (holder: Parameters<typeof describeHolder>[0]) => ctx.logger.info({ holder }, `waiting up to ${Math.round(waitMs / 1000)} s for the lock of ${what}, held by ${describeHolder(holder)}`);
  return acquireLock(name, what, { waitMs, signal: ctx.signal, onWait });
}
