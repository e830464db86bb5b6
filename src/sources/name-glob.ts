/**
 * Globs over database and table names ("tmp_*", "public.audit_?"): `*` any run of characters,
 * `?` one character, everything else literal. Names are not paths, so `*` crosses dots too.
 */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

export function matchesAny(name: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(name));
}

export interface DatabaseSelection {
  /** `databases` from the config: when not empty, exactly these (system ones included if named). */
  databases: readonly string[];
  exclude: readonly string[];
  /** Left out unless named in `databases`. */
  system: readonly string[];
}

/** Which databases get an archive: the named ones, else every listed one but system and excluded ones. */
export function selectDatabases(listed: readonly string[], selection: DatabaseSelection): string[] {
  const base = selection.databases.length > 0 ? [...selection.databases] : listed.filter((db) => !selection.system.includes(db));
  return base.filter((db) => !matchesAny(db, selection.exclude));
}
