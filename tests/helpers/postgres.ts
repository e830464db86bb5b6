import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withPostgresConnection } from "../../src/sources/postgres/connection.js";
import { runCommand } from "../../src/util/process.js";
import { freePort, startDaemon, stopDaemon, waitUntilReady } from "./server-process.js";
import type { TestCerts } from "./tls.js";

/** A throwaway PostgreSQL server started by the test harness (see setup-databases.ts). */
export interface PgServer {
  host: string;
  port: number;
  socketDir: string;
  /** Superuser and its password (scram). */
  user: string;
  password: string;
  /** Directory of the server's own binaries (psql, pg_dump … of the same major). */
  binDir: string;
  major: number;
  /** CA of the server certificate when TLS is on (offered, not required). */
  ca?: string;
  /** A CA that did not sign the server certificate. */
  otherCa?: string;
}

export function findPostgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, "bin", "initdb"))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (majors[0]) return join(root, majors[0], "bin");
  throw new Error("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: run scripts/setup-test-env.sh as root");
}

export interface StartPostgresOptions {
  /** Extra server settings (-c name=value), e.g. archive_mode for PITR tests. */
  settings?: Record<string, string>;
  /** Start on this existing data directory (a restored one) instead of running initdb in root/data. */
  data?: string;
}

/** initdb + postgres under `root` (run as the postgres OS user when we are root: it refuses root). */
export async function startPostgres(root: string, certs?: TestCerts, options: StartPostgresOptions = {}): Promise<{ info: PgServer; stop: () => Promise<void>; data: string; logFile: string }> {
  const binDir = findPostgresBinDir();
  const major = Number(binDir.split("/").at(-2));
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? Number(execFileSync("id", ["-u", "postgres"]).toString().trim()) : undefined;
  const gid = asRoot ? Number(execFileSync("id", ["-g", "postgres"]).toString().trim()) : undefined;
  const password = "Pg-harness:pw\\with$odd'chars";
  const data = options.data ?? join(root, "data");
  const socketDir = join(root, "sock");
  await mkdir(socketDir, { mode: 0o700 });
  const pwfile = join(root, "pwfile");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot && uid !== undefined && gid !== undefined) {
    await chmod(root, 0o755);
    for (const path of [root, socketDir, pwfile]) await chown(path, uid, gid);
  }
  const spawnAs = { ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) };
  // postgres wants its key private to its own user.
  const tls: string[] = [];
  if (certs) {
    const { copyFile } = await import("node:fs/promises");
    await copyFile(certs.cert, join(root, "server.pem"));
    await copyFile(certs.key, join(root, "server.key"));
    await chmod(join(root, "server.key"), 0o600);
    if (uid !== undefined && gid !== undefined) for (const f of ["server.pem", "server.key"]) await chown(join(root, f), uid, gid);
    tls.push("-c", "ssl=on", "-c", `ssl_cert_file=${join(root, "server.pem")}`, "-c", `ssl_key_file=${join(root, "server.key")}`);
  }
  if (!options.data) execFileSync(
    join(binDir, "initdb"),
    ["-D", data, "-U", "postgres", `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
    { stdio: "pipe", ...spawnAs, env: { ...process.env, LANG: "C.UTF-8" } },
  );
  const port = await freePort();
  const logFile = join(root, "postgres.log");
  await writeFile(logFile, "");
  if (uid !== undefined && gid !== undefined) await chown(logFile, uid, gid);
  const child = startDaemon(
    join(binDir, "postgres"),
    ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${socketDir}`, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=60", ...tls, ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
    { logFile, ...spawnAs },
  );
  const info: PgServer = { host: "127.0.0.1", port, socketDir, user: "postgres", password, binDir, major, ...(certs ? { ca: certs.ca, otherCa: certs.otherCa } : {}) };
  await waitUntilReady("postgres", child, logFile, async () => {
    try {
      await psql(info, "SELECT 1");
      return true;
    } catch {
      return false;
    }
  });
  return { info, stop: () => stopDaemon(child, "SIGINT"), data, logFile };
}

/** Runs SQL as the superuser (psql, ON_ERROR_STOP) and returns stdout (unaligned, tuples only). */
export async function psql(info: PgServer, sql: string, database = "postgres", options: { user?: string; password?: string } = {}): Promise<string> {
  const target = { host: info.host, port: info.port, user: options.user ?? info.user, password: options.password ?? info.password };
  return withPostgresConnection(target, async (envFor) => {
    const { stdout } = await runCommand(
      { file: join(info.binDir, "psql"), args: ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"], env: envFor(database) },
      { input: sql, timeoutMs: 120_000 },
    );
    return stdout;
  });
}

/** Restores a plain dump (SQL text file) into `database` with the stock psql. */
export async function psqlFile(info: PgServer, file: string, database: string): Promise<string> {
  const target = { host: info.host, port: info.port, user: info.user, password: info.password };
  return withPostgresConnection(target, async (envFor) => {
    const { stdout } = await runCommand(
      { file: join(info.binDir, "psql"), args: ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file], env: envFor(database) },
      { timeoutMs: 300_000 },
    );
    return stdout;
  });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export async function createDatabase(info: PgServer, name: string, owner?: string): Promise<void> {
  await psql(info, `CREATE DATABASE ${quoteIdent(name)}${owner ? ` OWNER ${quoteIdent(owner)}` : ""} TEMPLATE template0 ENCODING 'UTF8'`);
}

export async function dropDatabase(info: PgServer, name: string): Promise<void> {
  await psql(info, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** A login role with a scram password (LOGIN, optionally SUPERUSER). */
export async function createRole(info: PgServer, name: string, password: string, options: { superuser?: boolean } = {}): Promise<void> {
  await psql(info, `CREATE ROLE ${quoteIdent(name)} LOGIN ${options.superuser ? "SUPERUSER" : ""} PASSWORD ${quoteLiteral(password)}`);
}
