import { formatPath } from "./path.js";

/**
 * Cross-entry rules (unique ids and names, password vs password_file), checked on the raw input
 * so they are reported together with schema problems rather than after them are fixed.
 */
export function checkUniqueness(raw: unknown): string[] {
  const problems: string[] = [];
  const root = raw as { instances?: unknown; storage?: { remotes?: unknown } } | null;
  const instances = Array.isArray(root?.instances) ? (root.instances as Record<string, unknown>[]) : [];
  const ids = new Map<unknown, number>();
  const names = new Map<string, number>();
  instances.forEach((instance, index) => {
    if (!instance || typeof instance !== "object") return;
    const { id, type } = instance;
    if (typeof id === "number") {
      const seen = ids.get(id);
      if (seen !== undefined) problems.push(`${formatPath(["instances", index, "id"])}: duplicate instance id ${id} (also instances[${seen}].id)`);
      else ids.set(id, index);
    }
    const name = typeof instance.name === "string" ? instance.name : `${String(type)}-${String(id)}`;
    const seenName = names.get(name);
    if (seenName !== undefined) problems.push(`${formatPath(["instances", index, "name"])}: duplicate instance name "${name}" (also instances[${seenName}])`);
    else names.set(name, index);
    if (instance.password !== undefined && instance.password_file !== undefined) {
      problems.push(`${formatPath(["instances", index, "password_file"])}: give password or password_file, not both`);
    }
  });
  const remotes = Array.isArray(root?.storage?.remotes) ? (root.storage.remotes as Record<string, unknown>[]) : [];
  const remoteNames = new Set<unknown>();
  remotes.forEach((remote, index) => {
    if (remote && typeof remote === "object" && remoteNames.has(remote.name)) {
      problems.push(`${formatPath(["storage", "remotes", index, "name"])}: duplicate remote name "${String(remote.name)}"`);
    }
    remoteNames.add(remote?.name);
  });
  return problems;
}
