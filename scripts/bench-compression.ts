/**
 * Compression benchmark (issue 15): every ratio the issue's targets name, in one run, at each size
 * given, against the shell pipelines on the same data, alternating the order each repetition.
 *   database (one PostgreSQL table filled to the plain-dump size):
 *     pg_dump > /dev/null | pg_dump | gzip -6 | pg_dump | zstd -3 | tool zstd | tool zip (deflate 6)
 *     restore: zstd -dc dump.sql.zst | psql   against   vya-backupdb restore --mode fast of the .sql.zst
 *   files (a generated tree of the same size, as bench-files.sh makes it):
 *     tar -czf   against   tool tar.gz (deflate 6)
 * Each run under /usr/bin/time: wall seconds (median of BENCH_REPS), CPU seconds, the tool's peak RSS.
 *   npx tsx scripts/bench-compression.ts [MiB ...]      (default 1100)   Env: BENCH_DIR, BENCH_REPS (3)
 */
import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { withPostgresConnection } from "../src/sources/postgres/connection.js";
import { psql, type PgServer } from "../tests/helpers/postgres.js";
import { CLI, connOf, fillPostgres, machineDescription, makeWorkDir, REPS, run, toolEnv, withPostgresServer } from "./bench-lib.js";
import { generateTree } from "./bench-tree.js";

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (SIZES.length === 0) SIZES.push(1100);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Sample {
  wall: number;
  cpu: number;
  rssMib: number;
}

/** A command under /usr/bin/time: wall and CPU (user + sys, children included) seconds, peak RSS of the largest process. */
async function timed(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const r = await run("/usr/bin/time", ["-f", "TIMED %e %U %S %M", file, ...args], env);
  const m = /TIMED ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing in: ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMib: Math.round(Number(m[4]) / 1024) };
}

class Results {
  readonly samples = new Map<string, Sample[]>();
  readonly sizes = new Map<string, number>();
  add(label: string, s: Sample): void {
    const list = this.samples.get(label) ?? [];
    list.push(s);
    this.samples.set(label, list);
    console.error(`  ${label}: ${s.wall.toFixed(2)} s wall, ${s.cpu.toFixed(2)} s CPU, ${s.rssMib} MiB`);
  }
  wall(label: string): number {
    return median((this.samples.get(label) ?? []).map((s) => s.wall));
  }
  cpu(label: string): number {
    return median((this.samples.get(label) ?? []).map((s) => s.cpu));
  }
  rss(label: string): number {
    return Math.max(...(this.samples.get(label) ?? []).map((s) => s.rssMib));
  }
}

async function alternate(steps: [string, () => Promise<Sample>][], results: Results): Promise<void> {
  for (let i = 0; i < REPS; i++) {
    for (const [label, step] of i % 2 === 0 ? steps : [...steps].reverse()) results.add(label, await step());
  }
}

async function archiveIn(dir: string): Promise<string> {
  const name = (await readdir(dir)).find((n) => !n.endsWith(".json") && !n.startsWith("."));
  if (!name) throw new Error(`no archive in ${dir}`);
  return join(dir, name);
}

async function databaseRuns(info: PgServer, work: string, mib: number, results: Results): Promise<void> {
  const db = `bench_${mib}`;
  await psql(info, `CREATE DATABASE ${db}`);
  console.error(`filling ${db} to ${mib} MiB of plain dump …`);
  await fillPostgres(info, db, mib);
  const pgDump = join(info.binDir, "pg_dump");
  const psqlBin = join(info.binDir, "psql");
  const backups = join(work, "backups");
  const configFor = async (name: string, extra: Record<string, unknown>) => {
    const file = join(work, `${name}.yaml`);
    const instance = { id: 1, name, type: "postgres", host: info.host, port: info.port, user: info.user, password: info.password, databases: [db], globals: false, ...extra };
    await writeFile(file, stringify({ server: { name: "bench" }, storage: { local: { path: backups } }, instances: [instance] }), { mode: 0o600 });
    return file;
  };
  const configs = { zstd: await configFor("zstd", { compression: "zstd" }), zip: await configFor("zip", {}) };
  await withPostgresConnection(connOf(info), async (envFor) => {
    const env = { PATH: process.env.PATH, ...envFor(db) };
    const shell = (script: string, e: NodeJS.ProcessEnv = env) => timed("bash", ["-c", `set -o pipefail; ${script}`, "bench", pgDump, psqlBin], e);
    const kept = join(work, "keep");
    const tool = async (key: keyof typeof configs) => {
      const sample = await timed(process.execPath, [CLI, "-c", configs[key], "--log-level", "warn", "backup"], toolEnv());
      const archive = await archiveIn(join(backups, "bench", key, db));
      results.sizes.set(`tool ${key}`, (await stat(archive)).size);
      // The zstd backup (archive and sidecar) is kept for the restore runs.
      if (key === "zstd") {
        await rm(kept, { recursive: true, force: true });
        await mkdir(kept);
        execFileSync("cp", [archive, `${archive}.json`, kept]);
      }
      await rm(backups, { recursive: true, force: true });
      return sample;
    };
    await alternate(
      [
        ["pg_dump > /dev/null", () => shell(`"$1" --format=plain --no-password ${db} > /dev/null`)],
        ["pg_dump | gzip -6", () => shell(`"$1" --format=plain --no-password ${db} | gzip -6 > ${work}/b.sql.gz`)],
        ["pg_dump | zstd -3", () => shell(`"$1" --format=plain --no-password ${db} | zstd -3 -q -c > ${work}/b.sql.zst`)],
        ["tool zstd", () => tool("zstd")],
        ["tool zip", () => tool("zip")],
      ],
      results,
    );
    results.sizes.set("pg_dump | gzip -6", (await stat(join(work, "b.sql.gz"))).size);
    results.sizes.set("pg_dump | zstd -3", (await stat(join(work, "b.sql.zst"))).size);
    const archive = await archiveIn(kept);
    const admin = { PATH: process.env.PATH, ...envFor("postgres") };
    // Restores: each into a fresh database, dropped outside the timing.
    const fresh = async () => {
      await psql(info, "DROP DATABASE IF EXISTS r");
    };
    await alternate(
      [
        [
          "zstd -dc | psql",
          async () => {
            await fresh();
            await psql(info, "CREATE DATABASE r");
            return shell(`zstd -dc -q ${work}/b.sql.zst | "$2" -X -q -v ON_ERROR_STOP=1 --single-transaction --no-password -d r`, { PATH: process.env.PATH, ...envFor("r") });
          },
        ],
        [
          "tool restore (.sql.zst)",
          async () => {
            await fresh();
            return timed(process.execPath, [CLI, "-c", configs.zstd, "--log-level", "warn", "restore", "--file", archive, "--target", "r", "--mode", "fast"], { ...toolEnv(), ...admin });
          },
        ],
      ],
      results,
    );
    await fresh();
  });
  await psql(info, `DROP DATABASE ${db}`);
}

async function filesRuns(work: string, mib: number, results: Results): Promise<void> {
  const tree = join(work, `tree-${mib}`);
  console.error(`generating a ${mib} MiB files tree …`);
  await generateTree(tree, mib);
  const backups = join(work, "files-backups");
  const config = join(work, "files.yaml");
  await writeFile(config, stringify({ server: { name: "bench" }, storage: { local: { path: backups } }, instances: [{ id: 2, name: "tree", type: "files", paths: [`${tree}/**`] }] }));
  execFileSync("sync");
  await alternate(
    [
      ["tar -czf", () => timed("tar", ["-czf", join(work, "plain.tar.gz"), "-C", "/", tree.slice(1)], { PATH: process.env.PATH })],
      [
        "tool files tar.gz",
        async () => {
          const sample = await timed(process.execPath, [CLI, "-c", config, "--log-level", "warn", "backup"], toolEnv());
          results.sizes.set("tool files tar.gz", (await stat(await archiveIn(join(backups, "bench", "tree")))).size);
          await rm(backups, { recursive: true, force: true });
          return sample;
        },
      ],
    ],
    results,
  );
  results.sizes.set("tar -czf", (await stat(join(work, "plain.tar.gz"))).size);
  await rm(tree, { recursive: true, force: true });
}

/** A label as a markdown table cell (its pipes escaped). */
const cell = (label: string) => label.replaceAll("|", "\\|");
const MB = (n: number | undefined) => (n === undefined ? "" : `${(n / 1e6).toFixed(1)} MB`);

function report(mib: number, r: Results): { lines: string[]; ratios: [string, number, string][] } {
  const rows = [
    "pg_dump > /dev/null",
    "pg_dump | gzip -6",
    "pg_dump | zstd -3",
    "tool zstd",
    "tool zip",
    "zstd -dc | psql",
    "tool restore (.sql.zst)",
    "tar -czf",
    "tool files tar.gz",
  ];
  const lines = [`### ${mib} MiB`, "", "| run | wall s | CPU s | output | peak RSS |", "|---|---:|---:|---:|---:|"];
  for (const label of rows) {
    if (!r.samples.has(label)) continue;
    const tool = label.startsWith("tool");
    lines.push(`| ${cell(label)} | ${r.wall(label).toFixed(2)} | ${r.cpu(label).toFixed(2)} | ${MB(r.sizes.get(label))} | ${tool ? `${r.rss(label)} MiB` : ""} |`);
  }
  const ratio = (a: string, b: string) => r.wall(a) / r.wall(b);
  const ratios: [string, number, string][] = [
    ["tool zstd ÷ pg_dump > /dev/null", ratio("tool zstd", "pg_dump > /dev/null"), "≤ 1.3"],
    ["tool zstd size ÷ gzip -6 size", (r.sizes.get("tool zstd") ?? NaN) / (r.sizes.get("pg_dump | gzip -6") ?? NaN), "< 1"],
    ["tool zip ÷ pg_dump | gzip -6", ratio("tool zip", "pg_dump | gzip -6"), "≤ 0.6"],
    ["tool files tar.gz ÷ tar -czf", ratio("tool files tar.gz", "tar -czf"), "≤ 0.6"],
    ["tool restore ÷ zstd -dc | psql", ratio("tool restore (.sql.zst)", "zstd -dc | psql"), "≤ 1.05"],
  ];
  lines.push("", "| ratio (wall, medians) | value | target | met |", "|---|---:|---|---|");
  for (const [label, value, target] of ratios) {
    const limit = Number(target.replace(/[^\d.]/g, ""));
    const met = target.startsWith("<") && !target.startsWith("≤") ? value < limit : value <= limit;
    lines.push(`| ${cell(label)} | ${value.toFixed(3)} | ${target} | ${met ? "yes" : "**no**"} |`);
  }
  return { lines, ratios };
}

const loadavg = async () => (await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).join(" ");
const work = await makeWorkDir("vya-bench-compression-");
const machine = `${machineDescription()}, ${execFileSync("zstd", ["--version"]).toString().trim()}`;
console.error(`machine: ${machine}\nscratch: ${work}`);
try {
  const startLoad = await loadavg();
  const out: string[] = [];
  const peak = new Map<number, number>();
  await withPostgresServer(work, async (info) => {
    for (const mib of SIZES) {
      const results = new Results();
      await databaseRuns(info, work, mib, results);
      await filesRuns(work, mib, results);
      out.push(...report(mib, results).lines, "");
      peak.set(mib, Math.max(...[...results.samples.keys()].filter((k) => k.startsWith("tool")).map((k) => results.rss(k))));
    }
  });
  console.log(`## compression benchmark, ${new Date().toISOString()}`);
  console.log(`${machine}; ${REPS} repetitions; load average ${startLoad} at the start, ${await loadavg()} at the end\n`);
  console.log(out.join("\n"));
  console.log(`peak RSS of the tool by size: ${[...peak].map(([m, r]) => `${m} MiB → ${r} MiB`).join(", ")} (target ≤ 200 MiB and flat)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
