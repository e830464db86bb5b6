/**
 * Shared parts of the database benchmarks (bench-db.ts, bench-restore.ts): timed child runs,
 * medians, server start, data fill and the scratch/machine preamble, so both measure alike.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BASE_DUMP_FLAGS } from "../src/sources/mysql/commands.js";
import { withMysqlConnection } from "../src/sources/mysql/connection.js";
import { withPostgresConnection } from "../src/sources/postgres/connection.js";
import { mariadb, startMariadb, type MariaServer } from "../tests/helpers/mariadb.js";
import { psql, startPostgres, type PgServer } from "../tests/helpers/postgres.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// A private build (the .sh wrappers make it) so a rebuild of dist/ by a test run cannot pull the rug.
export const CLI = process.env.BENCH_CLI ?? join(ROOT, "dist", "cli.js");
export const REPS = Number(process.env.BENCH_REPS ?? 3);
export const MiB = 1024 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round2 = (s: number) => Number(s.toFixed(2));

/** Median times, their ratio and every run, the figures both benchmarks report. */
export function summarize(base: number[], mine: number[]): Record<string, unknown> {
  return {
    baseline_s: round2(median(base)),
    tool_s: round2(median(mine)),
    ratio: Number((median(mine) / median(base)).toFixed(3)),
    runs: { baseline: base.map(round2), tool: mine.map(round2) },
  };
}

/** A minimal environment for the tool, so the caller's settings do not skew it. */
export const toolEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" });

/** Runs a command to completion; wall time in seconds and its stderr (rejects on non-zero exit). */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code === 0) resolve({ seconds, stderr });
      else reject(new Error(`${file} ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Size in bytes of a dump command's output. */
function dumpBytes(cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0] as string, cmd.slice(1), { env, stdio: ["ignore", "pipe", "inherit"] });
    let bytes = 0;
    child.stdout.on("data", (c: Buffer) => (bytes += c.length));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`${cmd[0]} exited ${code}`))));
  });
}

/** Inserts a sample, measures its real dump size, then inserts as many rows as reach `mib` (plus 3%). */
async function fillTo(mib: number, insert: (from: number, to: number) => Promise<unknown>, measure: () => Promise<number>): Promise<void> {
  const sample = 100_000;
  await insert(1, sample);
  const perRow = (await measure()) / sample;
  const target = Math.ceil((mib * MiB * 1.03) / perRow);
  for (let rows = sample; rows < target; rows += 200_000) await insert(rows + 1, Math.min(rows + 200_000, target));
}

/** Connection settings of a test server, as the tool's connection helpers take them. */
export const connOf = (info: PgServer | MariaServer) => ({ host: info.host, port: info.port, user: info.user, password: info.password });

/** Starts a PostgreSQL server under work/pg for the length of `fn`. */
export async function withPostgresServer<T>(work: string, fn: (info: PgServer) => Promise<T>): Promise<T> {
  const root = join(work, "pg");
  await mkdir(root);
  const { info, stop } = await startPostgres(root);
  try {
    return await fn(info);
  } finally {
    await stop();
  }
}

/** Starts a MariaDB server under work/maria for the length of `fn`. */
export async function withMariadbServer<T>(work: string, fn: (info: MariaServer) => Promise<T>): Promise<T> {
  const root = join(work, "maria");
  await mkdir(root);
  const { info, stop } = await startMariadb(root);
  try {
    return await fn(info);
  } finally {
    await stop();
  }
}

/** Rows of mixed text, numbers, timestamps and json until the plain dump reaches `mib`. */
export async function fillPostgres(info: PgServer, db: string, mib: number): Promise<void> {
  await psql(info, "CREATE TABLE t (id bigint PRIMARY KEY, a text, b text, n numeric(12,2), at timestamptz, j jsonb)", db);
  const insert = (from: number, to: number) =>
    psql(
      info,
      `INSERT INTO t SELECT g, md5(g::text), md5((g * 7)::text) || md5((g * 13)::text), round((random() * 1e6)::numeric, 2),
         timestamptz '2020-01-01' + g * interval '1 second', jsonb_build_object('k', g % 97, 'tag', 'row-' || (g % 1000))
       FROM generate_series(${from}, ${to}) g`,
      db,
    );
  const measure = () =>
    withPostgresConnection(connOf(info), (envFor) =>
      dumpBytes([join(info.binDir, "pg_dump"), "--format=plain", "--no-password"], { PATH: process.env.PATH, ...envFor(db) }),
    );
  await fillTo(mib, insert, measure);
  await psql(info, "VACUUM ANALYZE t", db);
}

/** The same rows as fillPostgres, in MariaDB's dialect. */
export async function fillMariadb(info: MariaServer, db: string, mib: number): Promise<void> {
  await mariadb(info, "CREATE TABLE t (id BIGINT PRIMARY KEY, a CHAR(32), b VARCHAR(64), n DECIMAL(12,2), at DATETIME, j JSON) ENGINE=InnoDB", db);
  const insert = (from: number, to: number) =>
    mariadb(
      info,
      `INSERT INTO t SELECT seq, MD5(seq), CONCAT(MD5(seq * 7), MD5(seq * 13)), ROUND(RAND() * 1e6, 2),
         '2020-01-01' + INTERVAL seq SECOND, JSON_OBJECT('k', seq % 97, 'tag', CONCAT('row-', seq % 1000))
       FROM seq_${from}_to_${to}`,
      db,
    );
  const measure = () =>
    withMysqlConnection(connOf(info), "mariadb", (conn) => dumpBytes(["mariadb-dump", ...conn, ...BASE_DUMP_FLAGS, db], { PATH: process.env.PATH }));
  await fillTo(mib, insert, measure);
}

/** A fresh scratch folder under BENCH_DIR (or $TMPDIR) that the database servers' users can enter. */
export async function makeWorkDir(prefix: string): Promise<string> {
  const base = process.env.BENCH_DIR ?? tmpdir();
  await mkdir(base, { recursive: true });
  const work = await mkdtemp(join(base, prefix));
  await chmod(work, 0o711);
  return work;
}

/** One line on the machine, for the report. */
export function machineDescription(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, ${execFileSync("uname", ["-sr"]).toString().trim()}, node ${process.version}`;
}
