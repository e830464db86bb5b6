import { hostname } from "node:os";

/** Who holds a lock: what the second run prints so the operator can find the first. */
export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  command: string;
}

/** This process as a lock holder. Arguments never hold secrets (secrets never reach argv). */
export function currentHolder(now: Date = new Date()): LockHolder {
  return { pid: process.pid, host: hostname(), started_at: now.toISOString(), command: ["vya-backupdb", ...process.argv.slice(2)].join(" ") };
}

/** The holder's answer, or null when it is not one (a foreign listener, a cut-off reply). */
export function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== "number" || typeof value.host !== "string" || typeof value.started_at !== "string" || typeof value.command !== "string") return null;
    return { pid: value.pid, host: value.host, started_at: value.started_at, command: value.command };
  } catch {
    return null;
  }
}

export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return "a run that did not say who it is";
  return `pid ${holder.pid} on ${holder.host}, started ${holder.started_at}: ${holder.command}`;
}
