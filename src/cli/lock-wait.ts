import { Option } from "commander";
import { describeHolder } from "../lock/holder.js";
import { acquireLock, type HeldLock } from "../lock/lock.js";
import type { Logger } from "../util/logger.js";
import { parseDurationMs } from "../util/duration.js";
import { UsageError } from "../util/errors.js";

/** `--lock-wait DURATION`, shared by the commands that take a lock. */
export function lockWaitOption(): Option {
  return new Option("--lock-wait <duration>", "when another run holds the lock, wait up to this long (30s, 5m, 1h) instead of exiting 3");
}

export function lockWaitMs(value: string | undefined): number {
  if (value === undefined) return 0;
  const ms = parseDurationMs(value);
  if (ms === null) throw new UsageError(`--lock-wait ${value}: expected a duration such as 30s, 5m or 1h`);
  return ms;
}

/** Takes the lock `name`, waiting up to `waitMs` and saying once whom it waits for; the kernel releases it if the process dies. */
export async function takeLock(lock: { name: string; what: string; waitMs: number; logger: Logger }, signal: AbortSignal): Promise<HeldLock> {
  const onWait = (holder: Parameters<typeof describeHolder>[0]) => lock.logger.info({ holder }, `waiting up to ${Math.round(lock.waitMs / 1000)} s for the lock of ${lock.what}, held by ${describeHolder(holder)}`);
  return acquireLock(lock.name, lock.what, { waitMs: lock.waitMs, signal, onWait });
}
