import type { CatalogEntry } from "../catalog/list.js";
import type { Sidecar } from "../catalog/sidecar.js";
import type { Config, Instance } from "../config/schema.js";
import type { RetentionPolicy } from "./policy-schema.js";

/** One backup of a group: a complete catalogue entry (valid sidecar, archive of the recorded size). */
export interface GroupMember {
  entry: CatalogEntry & { sidecar: Sidecar };
  time: number;
}

/** The unit of retention: every backup of one instance's database (or globals, or files) on one storage. */
export interface BackupGroup {
  key: string;
  instance: { id: number; name: string };
  kind: Sidecar["kind"];
  database: string | null;
  members: GroupMember[];
}

export function groupKey(instanceId: number, kind: Sidecar["kind"], database: string | null): string {
  return JSON.stringify([instanceId, kind, database]);
}

/**
 * Groups the complete backups of this server. Everything else (no sidecar, corrupt, damaged,
 * a sidecar alone, another server's, a restore's safety backup) never fills a bucket and is
 * never deleted by the policy.
 */
export function groupBackups(entries: readonly CatalogEntry[], server: string): BackupGroup[] {
  const groups = new Map<string, BackupGroup>();
  for (const entry of entries) {
    const sidecar = entry.sidecar;
    if (entry.state !== "complete" || !sidecar || sidecar.server.name !== server || sidecar.purpose === "safety") continue;
    const time = Date.parse(sidecar.started_at);
    if (Number.isNaN(time)) continue;
    const key = groupKey(sidecar.instance.id, sidecar.kind, sidecar.database);
    let group = groups.get(key);
    if (!group) {
      group = { key, instance: { id: sidecar.instance.id, name: sidecar.instance.name }, kind: sidecar.kind, database: sidecar.database, members: [] };
      groups.set(key, group);
    }
    group.members.push({ entry: entry as GroupMember["entry"], time });
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The policy of a group on a storage, the most specific block winning whole (blocks are not
 * merged): the remote's `retention`, else the instance's, else the global one; null: none.
 */
export function policyFor(config: Config, storage: string, instanceId: number): RetentionPolicy | null {
  const remote = config.storage.remotes.find((r) => r.name === storage);
  if (remote?.retention) return remote.retention;
  const instance: Instance | undefined = config.instances.find((i) => i.id === instanceId);
  return instance?.retention ?? config.retention ?? null;
}

/** Whether any block anywhere sets a policy. */
export function hasAnyPolicy(config: Config): boolean {
  return config.retention !== undefined || config.instances.some((i) => i.retention !== undefined) || config.storage.remotes.some((r) => r.retention !== undefined);
}
