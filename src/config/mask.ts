import { SECRET_KEYS } from "./schema.js";

/** Keys secret only under `notifications` (webhook and heartbeat URLs carry their token); a Pushgateway URL is not. */
const NOTIFICATION_SECRET_KEYS = new Set(["url"]);

/** A deep copy with every secret value replaced by "***" (config print; migrate writes references instead, see secret-references.ts). */
export function maskSecrets<T>(value: T): T {
  const walk = (node: unknown, key: string | undefined, inNotifications: boolean): unknown => {
    const secret = key !== undefined && (SECRET_KEYS.has(key) || (inNotifications && NOTIFICATION_SECRET_KEYS.has(key)));
    if (secret && node !== undefined && node !== null) return "***";
    if (Array.isArray(node)) return node.map((item) => walk(item, undefined, inNotifications));
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k, inNotifications || k === "notifications")]));
    return node;
  };
  return walk(value, undefined, false) as T;
}
