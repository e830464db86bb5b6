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
import { execFileSync } from "node:child_process";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { BASE_DUMP_FLAGS } from "../src/sources/mysql/commands.js";
import { withMysqlConnection } from "../src/sources/mysql/connection.js";
import { withPostgresConnection } from "../src/sources/postgres/connection.js";
import { mariadb } from "../tests/helpers/mariadb.js";
import { psql } from "../tests/helpers/postgres.js";
import { CLI, connOf, fillMariadb, fillPostgres, machineDescription, makeWorkDir, MiB, REPS, run, summarize, toolEnv, withMariadbServer, withPostgresServer } from "./bench-lib.js";

const MIB_TARGET = Number(process.env.BENCH_MIB ?? 1100);

/** Wall time in seconds of a command that must succeed. */
const timed = async (file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> => (await run(file, args, env)).seconds;

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
    ...summarize(base, mine),
  };
}

/** A config for the tool, a backup taken with it, and the archive's name. */
async function backupWithTool(work: string, name: string, instance: Record<string, unknown>): Promise<{ config: string; archive: string; dumpMiB: number }> {
  const config = join(work, `${name}.yaml`);
  await writeFile(config, stringify({ server: { name: "bench" }, storage: { local: { path: join(work, `store-${name}`) } }, instances: [instance] }), { mode: 0o600 });
  await run(process.execPath, [CLI, "-c", config, "--log-level", "warn", "backup"], toolEnv());
  const files = (await readdir(join(work, `store-${name}`), { recursive: true })).map(String);
  const archive = files.find((f) => f.endsWith(".zip") && !f.includes("_globals"))?.split("/").pop();
  if (!archive) throw new Error("the tool wrote no archive");
  const sidecar = JSON.parse(execFileSync("cat", [join(work, `store-${name}`, files.find((f) => f.endsWith(`${archive}.json`)) ?? "")]).toString()) as { contents: { size: number }[] };
  return { config, archive, dumpMiB: Math.round((sidecar.contents[0]?.size ?? 0) / MiB) };
}

async function benchPostgres(work: string): Promise<Record<string, unknown>> {
  return withPostgresServer(work, async (info) => {
    const db = "bench_src";
    await psql(info, `CREATE DATABASE ${db}`);
    await fillPostgres(info, db, MIB_TARGET);
    const { config, archive, dumpMiB } = await backupWithTool(work, "pg", { id: 1, name: "pg", type: "postgres", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db], globals: false });
    const gz = join(work, "pg-dump.sql.gz");
    const conn = connOf(info);
    await withPostgresConnection(conn, (envFor) =>
      run("bash", ["-c", `set -o pipefail; "$1" --format=plain --no-password | gzip -6 > "$2"`, "dump", join(info.binDir, "pg_dump"), gz], { PATH: process.env.PATH, ...envFor(db) }),
    );
    const psqlBin = join(info.binDir, "psql");
    return await withPostgresConnection(conn, (envFor) =>
      compare({
        label: "postgres (plain, zip)",
        dumpMiB,
        baseline: (target) =>
          timed(
            "bash",
            ["-c", `set -o pipefail; "$1" -X -q -c "CREATE DATABASE $3 TEMPLATE template0" postgres && gunzip -c "$2" | "$1" -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$3" > /dev/null`, "restore", psqlBin, gz, target],
            { PATH: process.env.PATH, ...envFor("postgres") },
          ),
        tool: (target) => timed(process.execPath, [CLI, "-c", config, "--log-level", "warn", "restore", "--file", archive, "--target", target, "--mode", "fast"], toolEnv()),
        drop: async (target) => void (await psql(info, `DROP DATABASE IF EXISTS ${target} WITH (FORCE)`)),
      }),
    );
  });
}

async function benchMariadb(work: string): Promise<Record<string, unknown>> {
  return withMariadbServer(work, async (info) => {
    const db = "bench_src";
    await mariadb(info, `CREATE DATABASE ${db}`);
    await fillMariadb(info, db, MIB_TARGET);
    const { config, archive, dumpMiB } = await backupWithTool(work, "my", { id: 2, name: "my", type: "mysql", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db] });
    const gz = join(work, "my-dump.sql.gz");
    return await withMysqlConnection(connOf(info), "mariadb", async (connectionArgs) => {
      await run("bash", ["-c", `set -o pipefail; mariadb-dump "\${@:2}" | gzip -6 > "$1"`, "dump", gz, ...connectionArgs, ...BASE_DUMP_FLAGS, db], { PATH: process.env.PATH });
      return compare({
        label: "mariadb (zip)",
        dumpMiB,
        baseline: (target) =>
          timed("bash", ["-c", `set -o pipefail; mariadb "\${@:3}" -e "CREATE DATABASE $2" && gunzip -c "$1" | mariadb "\${@:3}" --database="$2"`, "restore", gz, target, ...connectionArgs], { PATH: process.env.PATH }),
        tool: (target) => timed(process.execPath, [CLI, "-c", config, "--log-level", "warn", "restore", "--file", archive, "--target", target, "--mode", "fast"], toolEnv()),
        drop: async (target) => void (await mariadb(info, `DROP DATABASE IF EXISTS ${target}`)),
      });
    });
  });
}

async function main(): Promise<void> {
  const which = process.argv.slice(2);
  const all = which.length === 0;
  const work = await makeWorkDir("vya-bench-restore-");
  const machine = machineDescription();
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
