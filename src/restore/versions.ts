/**
 * Can this client read that dump? Pure rules, checked from the sidecar before a restore starts.
 *
 * PostgreSQL: psql must be at least the pg_dump that wrote a plain dump: since 15.14, 16.10 and
 * 17.6 plain dumps open with `\restrict KEY`, which older psql rejects, and newer pg_dump
 * output may use syntax older servers' clients do not know. pg_restore refuses custom archives
 * from a newer pg_dump major.
 * MariaDB: mariadb-dump 10.5.25, 10.6.18, 10.11.8, 11.0.6, 11.1.5, 11.2.4, 11.4.2 and later
 * write `/*!999999\- enable the sandbox mode *\/` as their first line; clients older than
 * those (and Oracle's mysql client) stop on it.
 */
export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(text: string | null | undefined): Version | null {
  const match = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text ?? "");
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2] ?? 0), patch: Number(match[3] ?? 0) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

const show = (v: Version) => `${v.major}.${v.minor}${v.patch ? `.${v.patch}` : ""}`;

/** null when `client` (psql or pg_restore) can restore a dump written by pg_dump `dump`, else the explanation. */
export function pgClientProblem(tool: "psql" | "pg_restore", client: Version, dump: Version): string | null {
  const tooOld = tool === "psql" ? compareVersions(client, { ...dump, patch: 0 }) < 0 : client.major < dump.major;
  if (!tooOld) return null;
  const needed = tool === "psql" ? `${dump.major}.${dump.minor}` : `${dump.major}`;
  const why =
    tool === "psql"
      ? `the dump was written by pg_dump ${show(dump)} and psql must be at least as new (plain dumps since 15.14/16.10/17.6 begin with \\restrict, which older psql rejects)`
      : `the archive was written by pg_dump ${show(dump)} and pg_restore cannot read archives of a newer major`;
  return `${tool} ${show(client)} is too old: ${why}; install postgresql-client-${dump.major} ${tool === "psql" ? `(${needed} or newer) ` : ""}from the PostgreSQL apt repository (https://wiki.postgresql.org/wiki/Apt) or set pg_dump_path to a directory holding a newer ${tool}`;
}

/** First release of each MariaDB series whose mariadb-dump writes (and client reads) the sandbox line. */
const SANDBOX_SINCE: readonly Version[] = [
  { major: 10, minor: 5, patch: 25 },
  { major: 10, minor: 6, patch: 18 },
  { major: 10, minor: 11, patch: 8 },
  { major: 11, minor: 0, patch: 6 },
  { major: 11, minor: 1, patch: 5 },
  { major: 11, minor: 2, patch: 4 },
  { major: 11, minor: 4, patch: 2 },
];

/** Whether a MariaDB release writes/understands the sandbox line. */
export function mariadbHasSandbox(version: Version): boolean {
  const listed = sinceInSeries(version, SANDBOX_SINCE, (s) => s.major === version.major && s.minor === version.minor);
  if (listed !== null) return listed;
  // Series not listed: older than 10.5 never; 11.3 only from 11.4.2's fix; newer ones always.
  if (version.major < 10 || (version.major === 10 && version.minor < 5)) return false;
  return compareVersions(version, { major: 11, minor: 4, patch: 2 }) >= 0;
}

/** null when the mysql/mariadb client can read a dump of `dumpTool` `dumpVersion`, else the explanation. */
export function mysqlClientProblem(client: { flavour: "mariadb" | "mysql"; version: Version }, dumpTool: string, dumpVersion: Version): string | null {
  if (dumpTool !== "mariadb-dump" && dumpTool !== "mysqldump") return null;
  // Oracle's mysqldump writes no sandbox line; MariaDB's mysqldump alias is mariadb-dump.
  if (!mariadbHasSandbox(dumpVersion)) return null;
  const needed = SANDBOX_SINCE.map(show).join(", ");
  if (client.flavour === "mysql") {
    return `the dump was written by MariaDB's ${dumpTool} ${show(dumpVersion)}, whose first line (the sandbox mode command) Oracle's mysql client does not understand: install the mariadb client (Debian: mariadb-client) ${needed} or newer in its series`;
  }
  if (mariadbHasSandbox(client.version)) return null;
  return `mariadb client ${show(client.version)} is too old for a dump of ${dumpTool} ${show(dumpVersion)}, which begins with the sandbox mode command: upgrade the mariadb client to ${needed} or newer in its series (Debian: apt install mariadb-client from a current release or the MariaDB repository)`;
}

/** First release of each PostgreSQL series whose psql knows `\restrict` (restricted mode). */
const RESTRICT_SINCE: readonly Version[] = [
  { major: 13, minor: 22, patch: 0 },
  { major: 14, minor: 19, patch: 0 },
  { major: 15, minor: 14, patch: 0 },
  { major: 16, minor: 10, patch: 0 },
  { major: 17, minor: 6, patch: 0 },
];

export function psqlHasRestrict(version: Version): boolean {
  return sinceInSeries(version, RESTRICT_SINCE, (s) => s.major === version.major) ?? version.major >= 18;
}

/** Whether `version` is at least the first release of its series in `since`; null when its series is not listed. */
function sinceInSeries(version: Version, since: readonly Version[], sameSeries: (s: Version) => boolean): boolean | null {
  const first = since.find(sameSeries);
  return first ? compareVersions(version, first) >= 0 : null;
}

/**
 * null when this psql can read a plain dump in restricted mode (meta-commands refused), else why
 * not and what to install. Without it a forged dump's `\! cmd` would run on this machine.
 */
export function psqlRestrictProblem(client: Version): string | null {
  if (psqlHasRestrict(client)) return null;
  const series = RESTRICT_SINCE.find((s) => s.major === client.major);
  const needed = series ? `${series.major}.${series.minor}` : "17.6";
  return (
    `psql ${show(client)} has no restricted mode (\\restrict), so a plain dump's psql meta-commands (\\! runs a shell command) could not be refused; ` +
    `plain dumps are restored only by a psql that has it: install postgresql-client-${client.major >= 13 ? client.major : 17} ${needed} or newer ` +
    `(13.22, 14.19, 15.14, 16.10, 17.6 or any 18) from the PostgreSQL apt repository (https://wiki.postgresql.org/wiki/Apt), or set pg_dump_path to a directory holding one`
  );
}
