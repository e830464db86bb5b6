/**
 * Database benchmark: `vya-backupdb backup` (zip, deflate level 6) against the plain shell
 * pipeline `<dump> | gzip -6 > file`, measured in the same run on the same data, alternating the
 * two so machine noise hits both alike. Reports wall-time ratio (median of BENCH_REPS) and the
 * tool's peak RSS (/usr/bin/time -v) for a >= 1 GiB dump and a ~100 MiB one.
 *
 *   npx tsx scripts/bench-db.ts [postgres] [mariadb]
 * Env: BENCH_DIR (scratch, default $TMPDIR), BENCH_BIG_MIB (1100), BENCH_SMALL_MIB (100), BENCH_REPS (3).
 */
import { execFileSync, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { BASE_DUMP_FLAGS } from "../src/sources/mysql/commands.js";
import { withMysqlConnection } from "../src/sources/mysql/connection.js";
import { withPostgresConnection } from "../src/sources/postgres/connection.js";
import { mariadb, startMariadb, type MariaServer } from "../tests/helpers/mariadb.js";
import { psql, startPostgres, type PgServer } from "../tests/helpers/postgres.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// A private build (bench-db.sh makes it) so a rebuild of dist/ by a test run cannot pull the rug.
const CLI = process.env.BENCH_CLI ?? join(ROOT, "dist", "cli.js");
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1100);
const SMALL_MIB = Number(process.env.BENCH_SMALL_MIB ?? 100);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const MiB = 1024 * 1024;

interface Timed {
  seconds: number;
  maxRssKiB?: number;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; stderr: string }> {
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** The shell pipeline every admin would write, timed as a whole. */
async function baseline(dumpCmd: string[], env: NodeJS.ProcessEnv, out: string): Promise<Timed> {
  const script = `set -o pipefail; "$@" | gzip -6 > ${JSON.stringify(out)}`;
  const r = await run("bash", ["-c", script, "bench", ...dumpCmd], env);
  await rm(out, { force: true });
  return { seconds: r.seconds };
}

/** The tool through /usr/bin/time -v: wall time and peak RSS of the node process. */
async function tool(config: string, backups: string): Promise<Timed & { dumpBytes: number }> {
  const r = await run("/usr/bin/time", ["-v", process.execPath, CLI, "-c", config, "--log-level", "warn", "--json", "backup"], { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" });
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const sidecars = (await readdir(backups, { recursive: true })).map(String).filter((n) => n.endsWith(".zip.json"));
  let dumpBytes = 0;
  for (const s of sidecars) {
    const { readFile } = await import("node:fs/promises");
    const sidecar = JSON.parse(await readFile(join(backups, s), "utf8")) as { contents: { size: number }[] };
    dumpBytes += sidecar.contents.reduce((a, c) => a + c.size, 0);
  }
  await rm(backups, { recursive: true, force: true });
  return { seconds: r.seconds, maxRssKiB: rss ? Number(rss[1]) : undefined, dumpBytes };
}

async function compare(label: string, dumpCmd: string[], env: NodeJS.ProcessEnv, config: string, work: string): Promise<Record<string, unknown>> {
  const base: number[] = [];
  const mine: number[] = [];
  const rss: number[] = [];
  let dumpBytes = 0;
  for (let i = 0; i < REPS; i++) {
    // Alternate which goes first so caches and background load do not favour one side.
    const order = i % 2 === 0 ? ["base", "tool"] : ["tool", "base"];
    for (const which of order) {
      if (which === "base") base.push((await baseline(dumpCmd, env, join(work, "baseline.sql.gz"))).seconds);
      else {
        const t = await tool(config, join(work, "backups"));
        mine.push(t.seconds);
        if (t.maxRssKiB) rss.push(t.maxRssKiB);
        dumpBytes = t.dumpBytes;
      }
    }
    console.error(`  ${label} rep ${i + 1}: baseline ${base.at(-1)?.toFixed(2)} s, tool ${mine.at(-1)?.toFixed(2)} s, rss ${((rss.at(-1) ?? 0) / 1024).toFixed(0)} MiB`);
  }
  return {
    label,
    dump_mib: Math.round(dumpBytes / MiB),
    baseline_s: Number(median(base).toFixed(2)),
    tool_s: Number(median(mine).toFixed(2)),
    ratio: Number((median(mine) / median(base)).toFixed(3)),
    peak_rss_mib: Math.round(Math.max(...rss) / 1024),
    runs: { baseline: base.map((s) => Number(s.toFixed(2))), tool: mine.map((s) => Number(s.toFixed(2))) },
  };
}

async function benchPostgres(work: string): Promise<Record<string, unknown>[]> {
  const root = join(work, "pg");
  await mkdir(root);
  const { info, stop } = await startPostgres(root);
  try {
    const results: Record<string, unknown>[] = [];
    for (const [db, mib] of [["bench_small", SMALL_MIB], ["bench_big", BIG_MIB]] as const) {
      await psql(info, `CREATE DATABASE ${db}`);
      await fillPostgres(info, db, mib);
      results.push(await comparePostgres(info, db, work));
      console.error(`  result: ${JSON.stringify(results.at(-1))}`);
    }
    return results;
  } finally {
    await stop();
  }
}

/** Rows of mixed text, numbers, timestamps and json until the plain dump reaches `mib`. */
async function fillPostgres(info: PgServer, db: string, mib: number): Promise<void> {
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
    withPostgresConnection({ host: info.host, port: info.port, user: info.user, password: info.password }, (envFor) =>
      dumpBytes([join(info.binDir, "pg_dump"), "--format=plain", "--no-password"], { PATH: process.env.PATH, ...envFor(db) }),
    );
  await fillTo(mib, insert, measure);
  await psql(info, "VACUUM ANALYZE t", db);
}

async function comparePostgres(info: PgServer, db: string, work: string): Promise<Record<string, unknown>> {
  const config = join(work, `pg-${db}.yaml`);
  await writeFile(
    config,
    stringify({
      server: { name: "bench" },
      storage: { local: { path: join(work, "backups") } },
      instances: [{ id: 1, name: "pg", type: "postgres", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db], globals: false, compression_level: 6 }],
    }),
    { mode: 0o600 },
  );
  const pgDump = join(info.binDir, "pg_dump");
  return withPostgresConnection({ host: info.host, port: info.port, user: info.user, password: info.password }, async (envFor) =>
    compare(`postgres ${db}`, [pgDump, "--format=plain", "--no-password"], { PATH: process.env.PATH, ...envFor(db) }, config, work),
  );
}

async function benchMariadb(work: string): Promise<Record<string, unknown>[]> {
  const root = join(work, "maria");
  await mkdir(root);
  const { info, stop } = await startMariadb(root);
  try {
    const results: Record<string, unknown>[] = [];
    for (const [db, mib] of [["bench_small", SMALL_MIB], ["bench_big", BIG_MIB]] as const) {
      await mariadb(info, `CREATE DATABASE ${db}`);
      await fillMariadb(info, db, mib);
      results.push(await compareMariadb(info, db, work));
      console.error(`  result: ${JSON.stringify(results.at(-1))}`);
    }
    return results;
  } finally {
    await stop();
  }
}

async function fillMariadb(info: MariaServer, db: string, mib: number): Promise<void> {
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
    withMysqlConnection({ host: info.host, port: info.port, user: info.user, password: info.password }, "mariadb", (conn) =>
      dumpBytes(["mariadb-dump", ...conn, ...BASE_DUMP_FLAGS, db], { PATH: process.env.PATH }),
    );
  await fillTo(mib, insert, measure);
}

/** Inserts a sample, measures its real dump size, then inserts as many rows as reach `mib` (plus 3%). */
async function fillTo(mib: number, insert: (from: number, to: number) => Promise<unknown>, measure: () => Promise<number>): Promise<void> {
  const sample = 100_000;
  await insert(1, sample);
  const perRow = (await measure()) / sample;
  const target = Math.ceil((mib * MiB * 1.03) / perRow);
  for (let rows = sample; rows < target; rows += 200_000) await insert(rows + 1, Math.min(rows + 200_000, target));
}

/** Size in bytes of a dump command's output. */
async function dumpBytes(cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0] as string, cmd.slice(1), { env, stdio: ["ignore", "pipe", "inherit"] });
    let bytes = 0;
    child.stdout.on("data", (c: Buffer) => (bytes += c.length));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`${cmd[0]} exited ${code}`))));
  });
}

async function compareMariadb(info: MariaServer, db: string, work: string): Promise<Record<string, unknown>> {
  const config = join(work, `my-${db}.yaml`);
  await writeFile(
    config,
    stringify({
      server: { name: "bench" },
      storage: { local: { path: join(work, "backups") } },
      instances: [{ id: 2, name: "my", type: "mysql", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db], compression_level: 6 }],
    }),
    { mode: 0o600 },
  );
  return withMysqlConnection({ host: info.host, port: info.port, user: info.user, password: info.password }, "mariadb", async (conn) =>
    compare(`mariadb ${db}`, ["mariadb-dump", ...conn, ...BASE_DUMP_FLAGS, db], { PATH: process.env.PATH }, config, work),
  );
}

async function main(): Promise<void> {
  const which = process.argv.slice(2);
  const all = which.length === 0;
  const base = process.env.BENCH_DIR ?? tmpdir();
  await mkdir(base, { recursive: true });
  const work = await mkdtemp(join(base, "vya-bench-"));
  await chmod(work, 0o711);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, ${execFileSync("uname", ["-sr"]).toString().trim()}, node ${process.version}, gzip ${execFileSync("gzip", ["--version"]).toString().split("\n")[0]}`;
  console.error(`machine: ${machine}\nscratch: ${work}`);
  const results: Record<string, unknown>[] = [];
  try {
    if (all || which.includes("postgres")) results.push(...(await benchPostgres(work)));
    if (all || which.includes("mariadb")) results.push(...(await benchMariadb(work)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const table = [
    "| run | plain dump | `dump \\| gzip -6` | `vya-backupdb backup` | ratio | tool peak RSS |",
    "|---|---:|---:|---:|---:|---:|",
    ...results.map((r) => `| ${r.label} | ${r.dump_mib} MiB | ${r.baseline_s} s | ${r.tool_s} s | ${r.ratio} | ${r.peak_rss_mib} MiB |`),
  ].join("\n");
  console.log(JSON.stringify({ machine, reps: REPS, date: new Date().toISOString(), results }, null, 2));
  console.log(`\n${table}`);
}

await main();
