import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { stringify } from "yaml";
import { sidecarSchema, type Sidecar } from "../../src/catalog/sidecar.js";
import type { RunReport } from "../../src/run/report.js";

/** Writes a config with `instances` storing under <dir>/backups; returns the file. */
export async function writeDbConfig(dir: string, name: string, instances: Record<string, unknown>[], options: Record<string, unknown> = {}): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "backups") } }, instances, options }));
  return file;
}

/** Archives (not sidecars, not partials) directly in `folder`, sorted. */
export async function archivesIn(folder: string, extension = ".zip"): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(extension) && !n.startsWith(".")).sort().map((n) => join(folder, n));
}

/** Every name below `root` (recursive), relative; to spot partials or stray temp files. */
export async function allNames(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String).sort();
}

/** Credential folders left in the private runtime dir `runtime` ($XDG_RUNTIME_DIR): none once a run is over. */
export async function credentialsLeft(runtime: string): Promise<string[]> {
  return (await readdir(join(runtime, "vya-backupdb")).catch(() => [] as string[])).filter((n) => n.startsWith(".vya-cred-"));
}

export async function readSidecar(archive: string): Promise<Sidecar> {
  return sidecarSchema.parse(JSON.parse(await readFile(`${archive}.json`, "utf8")));
}

/** Extracts one zip entry with the stock `unzip -p` into `dest`, streaming. */
export async function unzipEntry(archive: string, entry: string, dest: string): Promise<void> {
  const child = spawn("unzip", ["-p", archive, entry], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  await pipeline(child.stdout, createWriteStream(dest));
  const code = await exited;
  if (code !== 0) throw new Error(`unzip -p ${archive} ${entry} exited ${code}: ${stderr}`);
}

/** `unzip -Z -v`-free check of how an entry is stored: "Stored" or "Defl:N" from `unzip -v`. */
export async function zipMethods(archive: string): Promise<Record<string, string>> {
  const child = spawn("unzip", ["-v", archive], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  const methods: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const m = /^\s*\d+\s+(Stored|Defl:\S+)\s+.*\s(\S+)$/.exec(line);
    if (m?.[1] && m[2]) methods[m[2]] = m[1];
  }
  return methods;
}

export function parseReport(stdout: unknown): RunReport {
  return JSON.parse(String(stdout)) as RunReport;
}
