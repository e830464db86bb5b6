import { SECRET_KEYS } from "./schema.js";
import { formatPath } from "./path.js";

/**
 * For `config migrate` to stdout: every literal secret becomes an `${env:…}` reference, so the
 * printed config works once the variables are set (a masked "***" would be copied into a file
 * and then fail to log in). `--output FILE` writes the values themselves instead.
 */
export interface SecretReference {
  /** Where in the converted config: instances[0].password */
  path: string;
  variable: string;
}

const REFERENCE = /^\$\{(env|file|credential):[^}]+\}$/;

export function secretsAsReferences<T>(config: T): { config: T; references: SecretReference[] } {
  const references: SecretReference[] = [];
  const walk = (node: unknown, path: PropertyKey[], label: string[]): unknown => {
    const key = path[path.length - 1];
    if (typeof key === "string" && SECRET_KEYS.has(key) && typeof node === "string" && node !== "" && !REFERENCE.test(node)) {
      const variable = `VYA_BACKUPDB_${label.join("_").toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
      references.push({ path: formatPath(path), variable });
      return `\${env:${variable}}`;
    }
    if (Array.isArray(node)) {
      // instances[0] is named by its id (INSTANCES_1_PASSWORD): stable when entries move.
      return node.map((item, i) => walk(item, [...path, i], [...label, String((item as { id?: unknown } | null)?.id ?? i)]));
    }
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k], [...label, k])]));
    return node;
  };
  return { config: walk(config, [], []) as T, references };
}
