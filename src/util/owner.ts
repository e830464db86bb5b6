import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Who made a temporary file: every temporary name the tool creates (credential folder, dump
 * spool, partial archive, remote upload) carries an owner tag, so a later run can tell what a
 * dead run left from what a live one is still writing, without any state file.
 *
 *   o-<host>-<boot>-<pid>-<start>
 *
 * host: 8 hex of sha256(hostname); boot: 8 hex of sha256(boot_id), which changes at every boot;
 * start: the process's start time in clock ticks after boot (/proc/<pid>/stat field 22), so a
 * reused pid is not mistaken for the owner.
 */
export interface Owner {
  host: string;
  boot: string;
  pid: number;
  start: number;
}

export const OWNER_RE = /o-([0-9a-f]{8})-([0-9a-f]{8})-(\d+)-(\d+)/;

const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 8);

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return fallback;
  }
}

/** The start time of `pid` in clock ticks after boot; null where /proc cannot tell (gone, not Linux). */
export function processStart(pid: number): number | null {
  const stat = readOr(`/proc/${pid}/stat`, "");
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const start = Number(fields[19]);
  return stat && Number.isInteger(start) ? start : null;
}

/** This machine and boot, as the tag writes them. */
export function currentHost(): Pick<Owner, "host" | "boot"> {
  return { host: short(hostname()), boot: short(readOr("/proc/sys/kernel/random/boot_id", "no-boot-id")) };
}

/** The tag of this process. */
export function ownerTag(): string {
  const { host, boot } = currentHost();
  return `o-${host}-${boot}-${process.pid}-${processStart(process.pid) ?? 0}`;
}

export function parseOwner(name: string): Owner | null {
  const m = OWNER_RE.exec(name);
  if (!m) return null;
  return { host: m[1] as string, boot: m[2] as string, pid: Number(m[3]), start: Number(m[4]) };
}

/**
 * Whether the owner of a tagged file still runs. `unknown` for another machine (a shared
 * storage directory or a remote): only age can tell then.
 */
export function ownerState(owner: Owner, here: Pick<Owner, "host" | "boot"> = currentHost()): { state: "alive" | "dead" | "unknown"; reason: string } {
  if (owner.host !== here.host) return { state: "unknown", reason: "written from another machine" };
  if (owner.boot !== here.boot) return { state: "dead", reason: `owner process ${owner.pid} is gone (it ran before the last reboot)` };
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return { state: "dead", reason: `owner process ${owner.pid} is gone` };
    // EPERM: a process of another user holds the pid; its start time below still tells.
  }
  const start = processStart(owner.pid);
  if (start !== null && owner.start !== 0 && start !== owner.start) return { state: "dead", reason: `owner process ${owner.pid} is gone (the pid was reused)` };
  return { state: "alive", reason: `owner process ${owner.pid} is running` };
}
