/**
 * Encryption benchmark: the same >= 1 GiB PostgreSQL backup (zip, deflate 6) with and without
 * `encryption.age`, alternated in the same run; wall-time ratio (median of BENCH_REPS) and peak
 * RSS of each (/usr/bin/time -v). Target (issue 14): <= 1.10x time, RSS flat, <= 200 MiB.
 *
 *   npx tsx scripts/bench-encrypt.ts        Env: BENCH_DIR, BENCH_BIG_MIB (1100), BENCH_REPS (3).
 */
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { psql, type PgServer } from "../tests/helpers/postgres.js";
import { CLI, fillPostgres, machineDescription, makeWorkDir, MiB, REPS, run, summarize, toolEnv, withPostgresServer } from "./bench-lib.js";

const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1100);

async function writeConfig(info: PgServer, work: string, name: string, recipient: string | null): Promise<string> {
  const config = join(work, `${name}.yaml`);
  await writeFile(
    config,
    stringify({
      server: { name: "bench" },
      storage: { local: { path: join(work, "backups") } },
      ...(recipient ? { encryption: { age: { recipients: [recipient] } } } : {}),
      instances: [{ id: 1, name: "pg", type: "postgres", host: info.host, port: info.port, user: info.user, password: info.password, databases: ["bench_big"], globals: false, compression_level: 6 }],
    }),
    { mode: 0o600 },
  );
  return config;
}

async function backup(config: string, backups: string): Promise<{ seconds: number; cpuSeconds: number; rssMiB: number; archiveMiB: number; dumpMiB: number }> {
  const r = await run("/usr/bin/time", ["-v", process.execPath, CLI, "-c", config, "--log-level", "warn", "--json", "backup"], toolEnv());
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0);
  // CPU time (user + system) of the tool and the dump it ran: less sensitive to a loaded machine than wall time.
  const cpu = (label: string) => Number(new RegExp(`${label} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1] ?? 0);
  const sidecar = (await readdir(backups, { recursive: true })).map(String).find((n) => n.endsWith(".json") && !n.includes(".runs"));
  const parsed = JSON.parse(await readFile(join(backups, sidecar ?? ""), "utf8")) as { archive: { size_bytes: number }; contents: { size: number }[] };
  await rm(backups, { recursive: true, force: true });
  return { seconds: r.seconds, cpuSeconds: cpu("User") + cpu("System"), rssMiB: Math.round(rss / 1024), archiveMiB: Math.round(parsed.archive.size_bytes / MiB), dumpMiB: Math.round(parsed.contents.reduce((a, c) => a + c.size, 0) / MiB) };
}

async function main(): Promise<void> {
  const work = await makeWorkDir("vya-bench-enc-");
  console.error(`machine: ${machineDescription()}\nscratch: ${work}`);
  const recipient = await identityToRecipient(await generateX25519Identity());
  try {
    const result = await withPostgresServer(work, async (info) => {
      await psql(info, "CREATE DATABASE bench_big");
      await fillPostgres(info, "bench_big", BIG_MIB);
      const plainConfig = await writeConfig(info, work, "plain", null);
      const encConfig = await writeConfig(info, work, "encrypted", recipient);
      const plain: number[] = [];
      const enc: number[] = [];
      const rss = { plain: [] as number[], encrypted: [] as number[] };
      const cpu = { plain: [] as number[], encrypted: [] as number[] };
      let sizes = { dumpMiB: 0, archiveMiB: 0 };
      for (let i = 0; i < REPS; i++) {
        // Alternate which goes first so caches and background load do not favour one side.
        for (const which of i % 2 === 0 ? ["plain", "encrypted"] : ["encrypted", "plain"]) {
          const t = await backup(which === "plain" ? plainConfig : encConfig, join(work, "backups"));
          (which === "plain" ? plain : enc).push(t.seconds);
          rss[which as "plain" | "encrypted"].push(t.rssMiB);
          cpu[which as "plain" | "encrypted"].push(t.cpuSeconds);
          sizes = { dumpMiB: t.dumpMiB, archiveMiB: t.archiveMiB };
          console.error(`  rep ${i + 1} ${which}: ${t.seconds.toFixed(2)} s, tool CPU ${t.cpuSeconds.toFixed(2)} s, peak RSS ${t.rssMiB} MiB`);
        }
      }
      return { ...sizes, ...summarize(plain, enc), tool_cpu_s: cpu, peak_rss_mib: { plain: Math.max(...rss.plain), encrypted: Math.max(...rss.encrypted) } };
    });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
