/** Versions as PostgreSQL tools and servers report them. */
export interface PgVersion {
  major: number;
  /** The version text, e.g. "15.18". */
  text: string;
}

/** `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` → { major: 15, text: "15.18" }; 9.6.24 → major 9.6 style kept as 9. */
export function parseToolVersion(output: string): PgVersion | null {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?(\S*)/.exec(output);
  if (!match) return null;
  return versionFrom(Number(match[1]), match[2], match[3], match[4]);
}

/** `server_version_num` (e.g. 150018, 90624) → { major: 15, text: "15.18" } / { major: 9, text: "9.6.24" }. */
export function parseServerVersionNum(num: string): PgVersion | null {
  const n = Number(num.trim());
  if (!Number.isInteger(n) || n <= 0) return null;
  if (n >= 100000) return { major: Math.floor(n / 10000), text: `${Math.floor(n / 10000)}.${n % 10000}` };
  const major = Math.floor(n / 10000);
  const minor = Math.floor(n / 100) % 100;
  return { major, text: `${major}.${minor}.${n % 100}` };
}

function versionFrom(major: number, minor: string | undefined, patch: string | undefined, suffix: string | undefined): PgVersion {
  const parts = [String(major), minor, patch].filter((p): p is string => p !== undefined);
  return { major, text: parts.join(".") + (suffix ?? "") };
}

/**
 * Whether a pg_dump of `tool` major can dump a server of `server` major. Before 10 the major was
 * two numbers (9.6); such servers are all older than any tool we would find, so majors suffice.
 */
export function canDump(tool: PgVersion, server: PgVersion): boolean {
  return tool.major >= server.major;
}
