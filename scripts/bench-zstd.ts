/**
 * Compression benchmark (issue 15), everything in one run on one PostgreSQL database, alternating
 * the order each repetition: the dump tool's own limit and the shell pipelines against the tool.
 *   backup:  pg_dump > /dev/null | pg_dump | gzip -6 | pg_dump | zstd -3 | tool zstd | tool zip | tool tar.gz
 *   restore: zstd -dc dump.sql.zst | psql   against   vya-backupdb restore --mode fast of the .sql.zst
 * Prints seconds (median of BENCH_REPS), output sizes, the tool's peak RSS and the ratios the
 * issue's targets are stated in.
 *   npx tsx scripts/bench-zstd.ts      Env: BENCH_DIR, BENCH_ZSTD_MIB (1100), BENCH_REPS (3)
 */
import { execFileSync } from "node:child_process";
import { readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { withPostgresConnection } from "../src/sources/postgres/connection.js";
import { psql, type PgServer } from "../tests/helpers/postgres.js";
import { CLI, connOf, fillPostgres, machineDescription, makeWorkDir, REPS, run, toolEnv, withPostgresServer } from "./bench-lib.js";

const MIB_WANTED = Number(process.env.BENCH_ZSTD_MIB ?? 1100);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function bench(info: PgServer, work: string): Promise<Record<string, unknown>> {
  const db = "bench_zstd";
  await psql(info, `CREATE DATABASE ${db}`);
  await fillPostgres(info, db, MIB_WANTED);
  const pgDump = join(info.binDir, "pg_dump");
  const psqlBin = join(info.binDir, "psql");
  const configFor = async (name: string, extra: Record<string, unknown>) => {
    const file = join(work, `${name}.yaml`);
    const instance = { id: 1, name, type: "postgres", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db], globals: false, ...extra };
    await writeFile(file, stringify({ server: { name: "bench" }, storage: { local: { path: join(work, "backups") } }, instances: [instance] }), { mode: 0o600 });
    return file;
  };
  const configs = { zstd: await configFor("zstd", { compression: "zstd" }), zip: await configFor("zip", {}), targz: await configFor("targz", { archive: "tar.gz" }) };
  return withPostgresConnection(connOf(info), async (envFor) => {
    const env = { PATH: process.env.PATH, ...envFor(db) };
    const shell = async (script: string, extraEnv: NodeJS.ProcessEnv = env) => (await run("bash", ["-c", `set -o pipefail; ${script}`, "bench", pgDump, psqlBin], extraEnv)).seconds;
    const sizes: Record<string, number> = {};
    const times: Record<string, number[]> = {};
    const rss: Record<string, number> = {};
    let kept = "";
    const add = (k: string, s: number) => (times[k] ??= []).push(s);
    const tool = async (key: keyof typeof configs) => {
      const r = await run("/usr/bin/time", ["-v", process.execPath, CLI, "-c", configs[key], "--log-level", "warn", "backup"], toolEnv());
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
      rss[key] = Math.max(rss[key] ?? 0, m ? Number(m[1]) : 0);
      const dir = join(work, "backups", "bench", key, db);
      const archive = (await readdir(dir)).find((n) => !n.endsWith(".json") && !n.startsWith("."));
      if (archive) sizes[`tool ${key}`] = (await stat(join(dir, archive))).size;
      // The zstd backup (archive and sidecar, same names) is kept for the restore runs.
      if (key === "zstd" && archive) {
        await rm(join(work, "keep"), { recursive: true, force: true });
        execFileSync("mkdir", ["-p", join(work, "keep")]);
        execFileSync("cp", [join(dir, archive), `${join(dir, archive)}.json`, join(work, "keep")]);
        kept = join(work, "keep", archive);
      }
      await rm(join(work, "backups"), { recursive: true, force: true });
      return r.seconds;
    };
    const steps: [string, () => Promise<number>][] = [
      ["pg_dump > /dev/null", () => shell(`"$1" --format=plain --no-password ${db} > /dev/null`)],
      ["pg_dump | gzip -6", () => shell(`"$1" --format=plain --no-password ${db} | gzip -6 > ${work}/b.sql.gz`)],
      ["pg_dump | zstd -3", () => shell(`"$1" --format=plain --no-password ${db} | zstd -3 -q -c > ${work}/b.sql.zst`)],
      ["tool zstd", () => tool("zstd")],
      ["tool zip", () => tool("zip")],
      ["tool tar.gz", () => tool("targz")],
    ];
    for (let i = 0; i < REPS; i++) {
      for (const [label, step] of i % 2 === 0 ? steps : [...steps].reverse()) {
        add(label, await step());
        console.error(`  rep ${i + 1} ${label}: ${times[label]?.at(-1)?.toFixed(2)} s`);
      }
    }
    sizes["gzip -6"] = (await stat(join(work, "b.sql.gz"))).size;
    sizes["zstd -3"] = (await stat(join(work, "b.sql.zst"))).size;
    // Restores: each into a fresh database, dropped outside the timing.
    const restoreConfig = await configFor("zstd", { compression: "zstd" });
    const admin = { PATH: process.env.PATH, ...envFor("postgres") };
    for (let i = 0; i < REPS; i++) {
      for (const which of i % 2 === 0 ? ["base", "tool"] : ["tool", "base"]) {
        await psql(info, "DROP DATABASE IF EXISTS r");
        if (which === "base") {
          await psql(info, "CREATE DATABASE r");
          add("zstd -dc | psql", await shell(`zstd -dc -q ${work}/b.sql.zst | "$2" -X -q -v ON_ERROR_STOP=1 --single-transaction --no-password -d r`, { PATH: process.env.PATH, ...envFor("r") }));
        } else {
          // The tool reads its own archive: the copy of the zstd backup kept above, by path.
          add("tool restore", (await run(process.execPath, [CLI, "-c", restoreConfig, "--log-level", "warn", "restore", "--file", kept, "--target", "r", "--mode", "fast"], { ...toolEnv(), ...admin })).seconds);
        }
        console.error(`  restore rep ${i + 1} ${which}`);
      }
    }
    await psql(info, "DROP DATABASE IF EXISTS r");
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Number(median(v).toFixed(2))]));
    const ratio = (a: string, b: string) => Number(((m[a] ?? NaN) / (m[b] ?? NaN)).toFixed(3));
    return {
      dump_mib_wanted: MIB_WANTED,
      seconds: m,
      sizes,
      peak_rss_mib: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, Math.round(v / 1024)])),
      ratios: {
        "tool zstd / pg_dump>/dev/null (target <= 1.3)": ratio("tool zstd", "pg_dump > /dev/null"),
        "tool zip / pg_dump|gzip -6 (target <= 0.6)": ratio("tool zip", "pg_dump | gzip -6"),
        "tool tar.gz / pg_dump|gzip -6": ratio("tool tar.gz", "pg_dump | gzip -6"),
        "tool restore / zstd -dc|psql (target <= 1.05)": ratio("tool restore", "zstd -dc | psql"),
      },
    };
  });
}

const work = await makeWorkDir("vya-bench-zstd-");
const machine = `${machineDescription()}, ${execFileSync("zstd", ["--version"]).toString().trim()}, load average ${execFileSync("cat", ["/proc/loadavg"]).toString().split(" ").slice(0, 3).join(" ")}`;
console.error(`machine: ${machine}\nscratch: ${work}`);
try {
  const result = await withPostgresServer(work, (info) => bench(info, work));
  console.log(JSON.stringify({ machine, reps: REPS, date: new Date().toISOString(), ...result }, null, 2));
} finally {
  await rm(work, { recursive: true, force: true });
}
