/**
 * A config read without its secrets: `schedule print|install` and `make generate` run where the
 * credentials do not exist yet (a build machine, servers/<name>/). References are replaced by a
 * placeholder so the structure is validated, and the names of `${credential:NAME}` references are
 * collected: they become the units' LoadCredential= lines.
 */
const REF = /\$\{(env|file|credential):([^}]+)\}/g;
/** Fits every string field a reference may sit in, URLs included. */
const PLACEHOLDER = "http://secret-reference.invalid/";

export function withoutSecrets(raw: unknown): { value: unknown; credentials: string[] } {
  const credentials = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") {
      return node.replace(REF, (_whole, kind: string, name: string) => {
        if (kind === "credential") credentials.add(name.trim());
        return PLACEHOLDER;
      });
    }
    if (Array.isArray(node)) return node.map((item) => walk(item));
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return { value: walk(raw), credentials: [...credentials].sort() };
}
