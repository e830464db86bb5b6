/**
 * Restore benchmark: `vya-backupdb restore --mode fast` of a >= 1 GiB database dump against the
 * shell pipeline an admin would type, `gunzip -c dump.sql.gz | psql --single-transaction` (and
 * `gunzip -c dump.sql.gz | mariadb`), in the same run, on the same data, alternating the two.
 * Both sides create the target database inside the timed part. Reports the median wall-time
 * ratio of BENCH_REPS runs.
 *
 *   npx tsx scripts/bench-restore.ts [postgres] [mariadb]
 * Env: BENCH_DIR (scratch, default $TMPDIR), BENCH_MIB (1100), BENCH_REPS (3), BENCH_CLI (built CLI).
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
const CLI = process.env.BENCH_CLI ?? join(ROOT, "dist", "cli.js");
const MIB_TARGET = Number(process.env.BENCH_MIB ?? 1100);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const MiB = 1024 * 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Number(process.hrtime.bigint() - start) / 1e9);
      else reject(new Error(`${file} ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Sizes in bytes of a dump command's output. */
function dumpBytes(cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0] as string, cmd.slice(1), { env, stdio: ["ignore", "pipe", "inherit"] });
    let bytes = 0;
    child.stdout.on("data", (c: Buffer) => (bytes += c.length));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`${cmd[0]} exited ${code}`))));
  });
}

/** Inserts a sample, measures its dump size, then inserts rows until the dump reaches `mib` (+3 %). */
async function fillTo(mib: number, insert: (from: number, to: number) => Promise<unknown>, measure: () => Promise<number>): Promise<void> {
  const sample = 100_000;
  await insert(1, sample);
  const perRow = (await measure()) / sample;
  const target = Math.ceil((mib * MiB * 1.03) / perRow);
  for (let rows = sample; rows < target; rows += 200_000) await insert(rows + 1, Math.min(rows + 200_000, target));
}

interface Side {
  label: string;
  /** The baseline pipeline, timed as a whole (creates the target itself). */
  baseline: (target: string) => Promise<number>;
  tool: (target: string) => Promise<number>;
  drop: (target: string) => Promise<void>;
  dumpMiB: number;
}

async function compare(side: Side): Promise<Record<string, unknown>> {
  const base: number[] = [];
  const mine: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const order = i % 2 === 0 ? ["base", "tool"] : ["tool", "base"];
    for (const which of order) {
      const target = `restored_${which}_${i}`;
      await side.drop(target);
      const seconds = which === "base" ? await side.baseline(target) : await side.tool(target);
      (which === "base" ? base : mine).push(seconds);
      console.error(`    ${side.label} ${which === "base" ? "baseline" : "tool"} into ${target}: ${seconds.toFixed(3)} s`);
      await side.drop(target);
    }
    console.error(`  ${side.label} rep ${i + 1}: baseline ${base.at(-1)?.toFixed(2)} s, tool ${mine.at(-1)?.toFixed(2)} s`);
  }
  return {
    label: side.label,
    dump_mib: side.dumpMiB,
    baseline_s: Number(median(base).toFixed(2)),
    tool_s: Number(median(mine).toFixed(2)),
    ratio: Number((median(mine) / median(base)).toFixed(3)),
    runs: { baseline: base.map((s) => Number(s.toFixed(2))), tool: mine.map((s) => Number(s.toFixed(2))) },
  };
}

/** A config for the tool, a backup taken with it, and the archive's name. */
async function backupWithTool(work: string, name: string, instance: Record<string, unknown>): Promise<{ config: string; archive: string; dumpMiB: number }> {
  const config = join(work, `${name}.yaml`);
  await writeFile(config, stringify({ server: { name: "bench" }, storage: { local: { path: join(work, `store-${name}`) } }, instances: [instance] }), { mode: 0o600 });
  await run(process.execPath, [CLI, "-c", config, "--log-level", "warn", "backup"], { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" });
  const files = (await readdir(join(work, `store-${name}`), { recursive: true })).map(String);
  const archive = files.find((f) => f.endsWith(".zip") && !f.includes("_globals"))?.split("/").pop();
  if (!archive) throw new Error("the tool wrote no archive");
  const sidecar = JSON.parse(execFileSync("cat", [join(work, `store-${name}`, files.find((f) => f.endsWith(`${archive}.json`)) ?? "")]).toString()) as { contents: { size: number }[] };
  return { config, archive, dumpMiB: Math.round((sidecar.contents[0]?.size ?? 0) / MiB) };
}

const toolEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" });

async function benchPostgres(work: string): Promise<Record<string, unknown>> {
  const root = join(work, "pg");
  await mkdir(root);
  const { info, stop } = await startPostgres(root);
  try {
    const db = "bench_src";
    await psql(info, `CREATE DATABASE ${db}`);
    await fillPostgres(info, db);
    const { config, archive, dumpMiB } = await backupWithTool(work, "pg", { id: 1, name: "pg", type: "postgres", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db], globals: false });
    const gz = join(work, "pg-dump.sql.gz");
    const conn = { host: info.host, port: info.port, user: info.user, password: info.password };
    await withPostgresConnection(conn, (envFor) =>
      run("bash", ["-c", `set -o pipefail; "$1" --format=plain --no-password | gzip -6 > "$2"`, "dump", join(info.binDir, "pg_dump"), gz], { PATH: process.env.PATH, ...envFor(db) }),
    );
    const psqlBin = join(info.binDir, "psql");
    return await withPostgresConnection(conn, (envFor) =>
      compare({
        label: "postgres (plain, zip)",
        dumpMiB,
        baseline: (target) =>
          run(
            "bash",
            ["-c", `set -o pipefail; "$1" -X -q -c "CREATE DATABASE $3 TEMPLATE template0" postgres && gunzip -c "$2" | "$1" -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$3" > /dev/null`, "restore", psqlBin, gz, target],
            { PATH: process.env.PATH, ...envFor("postgres") },
          ),
        tool: (target) => run(process.execPath, [CLI, "-c", config, "--log-level", "warn", "restore", "--file", archive, "--target", target, "--mode", "fast"], toolEnv()),
        drop: async (target) => void (await psql(info, `DROP DATABASE IF EXISTS ${target} WITH (FORCE)`)),
      }),
    );
  } finally {
    await stop();
  }
}

async function fillPostgres(info: PgServer, db: string): Promise<void> {
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
  await fillTo(MIB_TARGET, insert, measure);
  await psql(info, "VACUUM ANALYZE t", db);
}

async function benchMariadb(work: string): Promise<Record<string, unknown>> {
  const root = join(work, "maria");
  await mkdir(root);
  const { info, stop } = await startMariadb(root);
  try {
    const db = "bench_src";
    await mariadb(info, `CREATE DATABASE ${db}`);
    await fillMariadb(info, db);
    const { config, archive, dumpMiB } = await backupWithTool(work, "my", { id: 2, name: "my", type: "mysql", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db] });
    const gz = join(work, "my-dump.sql.gz");
    const conn = { host: info.host, port: info.port, user: info.user, password: info.password };
    return await withMysqlConnection(conn, "mariadb", async (connectionArgs) => {
      await run("bash", ["-c", `set -o pipefail; mariadb-dump "\${@:2}" | gzip -6 > "$1"`, "dump", gz, ...connectionArgs, ...BASE_DUMP_FLAGS, db], { PATH: process.env.PATH });
      return compare({
        label: "mariadb (zip)",
        dumpMiB,
        baseline: (target) =>
          run("bash", ["-c", `set -o pipefail; mariadb "\${@:3}" -e "CREATE DATABASE $2" && gunzip -c "$1" | mariadb "\${@:3}" --database="$2"`, "restore", gz, target, ...connectionArgs], { PATH: process.env.PATH }),
        tool: (target) => run(process.execPath, [CLI, "-c", config, "--log-level", "warn", "restore", "--file", archive, "--target", target, "--mode", "fast"], toolEnv()),
        drop: async (target) => void (await mariadb(info, `DROP DATABASE IF EXISTS ${target}`)),
      });
    });
  } finally {
    await stop();
  }
}

async function fillMariadb(info: MariaServer, db: string): Promise<void> {
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
  await fillTo(MIB_TARGET, insert, measure);
}

async function main(): Promise<void> {
  const which = process.argv.slice(2);
  const all = which.length === 0;
  const base = process.env.BENCH_DIR ?? tmpdir();
  await mkdir(base, { recursive: true });
  const work = await mkdtemp(join(base, "vya-bench-restore-"));
  await chmod(work, 0o711);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, ${execFileSync("uname", ["-sr"]).toString().trim()}, node ${process.version}`;
  console.error(`machine: ${machine}\nscratch: ${work}`);
  const results: Record<string, unknown>[] = [];
  try {
    if (all || which.includes("postgres")) results.push(await benchPostgres(work));
    if (all || which.includes("mariadb")) results.push(await benchMariadb(work));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const table = [
    "| run | plain dump | `gunzip -c \\| client` | `vya-backupdb restore --mode fast` | ratio |",
    "|---|---:|---:|---:|---:|",
    ...results.map((r) => `| ${r.label} | ${r.dump_mib} MiB | ${r.baseline_s} s | ${r.tool_s} s | ${r.ratio} |`),
  ].join("\n");
  console.log(JSON.stringify({ machine, reps: REPS, date: new Date().toISOString(), results }, null, 2));
  console.log(`\n${table}`);
}

await main();
