import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withMysqlConnection } from "../../src/sources/mysql/connection.js";
import { runCommand } from "../../src/util/process.js";
import { freePort, startDaemon, stopDaemon, waitUntilReady } from "./server-process.js";
import type { TestCerts } from "./tls.js";

/** A throwaway MariaDB server started by the test harness (see setup-databases.ts). */
export interface MariaServer {
  host: string;
  port: number;
  socket: string;
  /** An administrator reachable over TCP with a password. */
  user: string;
  password: string;
  version: string;
  /** CA of the server certificate when TLS is on (offered, not required). */
  ca?: string;
  /** A CA that did not sign the server certificate. */
  otherCa?: string;
}

function which(name: string): string {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", ...(process.env.PATH ?? "").split(":")]) {
    try {
      execFileSync("test", ["-x", join(dir, name)]);
      return join(dir, name);
    } catch {
      /* next */
    }
  }
  throw new Error(`${name} not found: run scripts/setup-test-env.sh as root (Debian: mariadb-server-core, mariadb-client)`);
}

/** mariadb-install-db + mariadbd under `root`, an admin user with a password for the tests. */
export async function startMariadb(root: string, certs?: TestCerts): Promise<{ info: MariaServer; stop: () => Promise<void> }> {
  const data = join(root, "data");
  await mkdir(data, { recursive: true, mode: 0o700 });
  // A private tmpdir: the shared /tmp is swept by other tests and used by other servers.
  const tmp = join(root, "tmp");
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  const user = process.getuid?.() === 0 ? "root" : (process.env.USER ?? "root");
  execFileSync(which("mariadb-install-db"), ["--no-defaults", `--user=${user}`, `--datadir=${data}`, `--tmpdir=${tmp}`, "--auth-root-authentication-method=normal", "--skip-test-db"], { stdio: "pipe" });
  const port = await freePort();
  const socket = join(root, "mariadb.sock");
  const logFile = join(root, "mariadb.log");
  await writeFile(logFile, "");
  const child = startDaemon(
    which("mariadbd"),
    [
      "--no-defaults",
      `--user=${user}`,
      `--datadir=${data}`,
      `--tmpdir=${tmp}`,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--pid-file=${join(root, "mariadb.pid")}`,
      "--skip-name-resolve",
      "--innodb-buffer-pool-size=128M",
      "--innodb-flush-log-at-trx-commit=0",
      "--innodb-doublewrite=0",
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_unicode_ci",
      "--max-connections=100",
      ...(certs ? [`--ssl-ca=${certs.ca}`, `--ssl-cert=${certs.cert}`, `--ssl-key=${certs.key}`] : []),
    ],
    { logFile },
  );
  const client = which("mariadb");
  const rootQuery = (sql: string) => runCommand({ file: client, args: ["--no-defaults", `--socket=${socket}`, "--user=root", "-N", "-B", "-e", sql] }, { timeoutMs: 30_000 });
  await waitUntilReady("mariadbd", child, logFile, async () => {
    try {
      await rootQuery("SELECT 1");
      return true;
    } catch {
      return false;
    }
  });
  const password = "Maria-harness#pw\"with$odd'chars\\";
  const esc = password.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  await rootQuery(`CREATE USER 'vya_admin'@'%' IDENTIFIED BY '${esc}'; GRANT ALL PRIVILEGES ON *.* TO 'vya_admin'@'%' WITH GRANT OPTION;`);
  const version = (await rootQuery("SELECT VERSION()")).stdout.trim();
  const info: MariaServer = { host: "127.0.0.1", port, socket, user: "vya_admin", password, version, ...(certs ? { ca: certs.ca, otherCa: certs.otherCa } : {}) };
  return { info, stop: () => stopDaemon(child, "SIGTERM") };
}

/** Runs SQL (fed on stdin) as the admin and returns stdout (tab-separated, no column names). */
export async function mariadb(info: MariaServer, sql: string, database?: string, options: { user?: string; password?: string } = {}): Promise<string> {
  const target = { host: info.host, port: info.port, user: options.user ?? info.user, password: options.password ?? info.password };
  return withMysqlConnection(target, "mariadb", async (conn) => {
    const { stdout } = await runCommand(
      { file: "mariadb", args: [...conn, "--default-character-set=utf8mb4", "-N", "-B", ...(database ? [database] : [])] },
      { input: sql, timeoutMs: 300_000 },
    );
    return stdout;
  });
}

/** Restores a dump file into `database` with the stock mariadb client. */
export async function mariadbFile(info: MariaServer, file: string, database: string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  await mariadb(info, await readFile(file, "utf8"), database);
}

export function quoteMysqlIdent(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

export function quoteMysqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
