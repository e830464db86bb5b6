/**
 * YAML lets an anchor be used inside its own value (`a: &a [*a]`); the parser then returns a
 * structure that contains itself, which every later walk would follow forever.
 * Returns the path where the structure first refers back to one of its ancestors, or null.
 */
export function findCycle(value: unknown): PropertyKey[] | null {
  const ancestors = new Set<object>();
  const walk = (node: unknown, path: PropertyKey[]): PropertyKey[] | null => {
    if (node === null || typeof node !== "object") return null;
    if (ancestors.has(node)) return path;
    ancestors.add(node);
    const entries: [PropertyKey, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, child] of entries) {
      const found = walk(child, [...path, key]);
      if (found) return found;
    }
    ancestors.delete(node);
    return null;
  };
  return walk(value, []);
}
