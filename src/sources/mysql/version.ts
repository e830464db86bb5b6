/** Client and server versions of MySQL and MariaDB as their tools report them. */
export type MysqlFlavour = "mariadb" | "mysql";

export interface MysqlClientVersion {
  flavour: MysqlFlavour;
  /** The release the client belongs to, e.g. "10.11.19" or "8.0.36". */
  version: string;
  major: number;
  minor: number;
}

/**
 * Parses `--version` of mysqldump/mariadb-dump/mysql/mariadb:
 *   mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
 *   mariadb-dump from 11.4.3-MariaDB, client 10.19 for debian-linux-gnu (x86_64)
 *   mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)
 *   mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)
 */
export function parseClientVersion(output: string): MysqlClientVersion | null {
  const flavour: MysqlFlavour = /mariadb/i.test(output) ? "mariadb" : "mysql";
  const match = /\bfrom\s+(\d+)\.(\d+)\.(\d+)/.exec(output) ?? /\bDistrib\s+(\d+)\.(\d+)\.(\d+)/.exec(output) ?? /\bVer\s+(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!match) return null;
  const [, major, minor, patch] = match;
  return { flavour, version: `${major}.${minor}.${patch}`, major: Number(major), minor: Number(minor) };
}

/** `SELECT VERSION()` → "10.11.19-MariaDB-0+deb12u1" is kept as reported; this tells the flavour. */
export function serverFlavour(version: string): MysqlFlavour {
  return /mariadb/i.test(version) ? "mariadb" : "mysql";
}
