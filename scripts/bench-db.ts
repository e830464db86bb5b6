/**
 * Database benchmark: `vya-backupdb backup` (zip, deflate level 6) against the plain shell
 * pipeline `<dump> | gzip -6 > file`, measured in the same run on the same data, alternating the
 * two so machine noise hits both alike. Reports wall-time ratio (median of BENCH_REPS) and the
 * tool's peak RSS (/usr/bin/time -v) for a >= 1 GiB dump and a ~100 MiB one.
 *
 *   npx tsx scripts/bench-db.ts [postgres] [mariadb]
 * Env: BENCH_DIR (scratch, default $TMPDIR), BENCH_BIG_MIB (1100), BENCH_SMALL_MIB (100), BENCH_REPS (3).
 */
import { execFileSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { BASE_DUMP_FLAGS } from "../src/sources/mysql/commands.js";
import { withMysqlConnection } from "../src/sources/mysql/connection.js";
import { withPostgresConnection } from "../src/sources/postgres/connection.js";
import { mariadb, type MariaServer } from "../tests/helpers/mariadb.js";
import { psql, type PgServer } from "../tests/helpers/postgres.js";
import { CLI, connOf, fillMariadb, fillPostgres, machineDescription, makeWorkDir, MiB, REPS, run, summarize, toolEnv, withMariadbServer, withPostgresServer } from "./bench-lib.js";

const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1100);
const SMALL_MIB = Number(process.env.BENCH_SMALL_MIB ?? 100);

interface Timed {
  seconds: number;
  maxRssKiB?: number;
}

/** The shell pipeline every admin would write, timed as a whole. */
async function baseline(dumpCmd: string[], env: NodeJS.ProcessEnv, out: string): Promise<Timed> {
  const script = `set -o pipefail; "$@" | gzip -6 > ${JSON.stringify(out)}`;
  const r = await run("bash", ["-c", script, "bench", ...dumpCmd], env);
  await rm(out, { force: true });
  return { seconds: r.seconds };
}

/** The tool through /usr/bin/time -v: wall time and peak RSS of the node process. */
async function tool(config: string, backups: string): Promise<Timed & { dumpBytes: number }> {
  const r = await run("/usr/bin/time", ["-v", process.execPath, CLI, "-c", config, "--log-level", "warn", "--json", "backup"], toolEnv());
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const sidecars = (await readdir(backups, { recursive: true })).map(String).filter((n) => n.endsWith(".zip.json"));
  let dumpBytes = 0;
  for (const s of sidecars) {
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
    ...summarize(base, mine),
    peak_rss_mib: Math.round(Math.max(...rss) / 1024),
  };
}

async function benchPostgres(work: string): Promise<Record<string, unknown>[]> {
  return withPostgresServer(work, async (info) => {
    const results: Record<string, unknown>[] = [];
    for (const [db, mib] of [["bench_small", SMALL_MIB], ["bench_big", BIG_MIB]] as const) {
      await psql(info, `CREATE DATABASE ${db}`);
      await fillPostgres(info, db, mib);
      results.push(await comparePostgres(info, db, work));
      console.error(`  result: ${JSON.stringify(results.at(-1))}`);
    }
    return results;
  });
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
  return withPostgresConnection(connOf(info), async (envFor) =>
    compare(`postgres ${db}`, [pgDump, "--format=plain", "--no-password"], { PATH: process.env.PATH, ...envFor(db) }, config, work),
  );
}

async function benchMariadb(work: string): Promise<Record<string, unknown>[]> {
  return withMariadbServer(work, async (info) => {
    const results: Record<string, unknown>[] = [];
    for (const [db, mib] of [["bench_small", SMALL_MIB], ["bench_big", BIG_MIB]] as const) {
      await mariadb(info, `CREATE DATABASE ${db}`);
      await fillMariadb(info, db, mib);
      results.push(await compareMariadb(info, db, work));
      console.error(`  result: ${JSON.stringify(results.at(-1))}`);
    }
    return results;
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
  return withMysqlConnection(connOf(info), "mariadb", async (conn) =>
    compare(`mariadb ${db}`, ["mariadb-dump", ...conn, ...BASE_DUMP_FLAGS, db], { PATH: process.env.PATH }, config, work),
  );
}

async function main(): Promise<void> {
  const which = process.argv.slice(2);
  const all = which.length === 0;
  const work = await makeWorkDir("vya-bench-");
  const machine = `${machineDescription()}, gzip ${execFileSync("gzip", ["--version"]).toString().split("\n")[0]}`;
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
