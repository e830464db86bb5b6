import { SECRET_KEYS } from "./schema.js";

/** A deep copy with every secret value replaced by "***" (config print; migrate writes references instead, see secret-references.ts). */
export function maskSecrets<T>(value: T): T {
  const walk = (node: unknown, key?: string): unknown => {
    if (key !== undefined && SECRET_KEYS.has(key) && node !== undefined && node !== null) return "***";
    if (Array.isArray(node)) return node.map((item) => walk(item));
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    return node;
  };
  return walk(value) as T;
}
