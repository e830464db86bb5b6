import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Result } from "execa";
import { runCli } from "./cli.js";
import { allNames, writeDbConfig } from "./db-run.js";
import { writeRecordingWrapper } from "./fake-tools.js";

/**
 * The credential tests of both engines: one debug backup through argv-recording wrappers, then
 * every place a password could leak to, gathered so each test searches them the same way.
 */
export interface RecordedBackup {
  result: Result;
  /** What the wrappers recorded: argv lines, credential file modes, password variables. */
  argv: string;
  /** TMPDIR of the run, to check that nothing was left there. */
  tmp: string;
  /** The run's private runtime directory (credential files go there), to check they were removed. */
  runtime: string;
  /** Sidecar names below dir/backups. */
  sidecars: string[];
  /** [where, text] of argv, stdout, stderr, log file (index 3) and each sidecar. */
  outputs: [string, string][];
}

/** Backs up `instance` with each of `tools` ([name, real path]) wrapped by a recorder on PATH. */
export async function backupThroughRecorders(dir: string, tools: [string, string][], instance: Record<string, unknown>): Promise<RecordedBackup> {
  const wrappers = join(dir, "wrappers");
  const tmp = join(dir, "tmp");
  const run = join(dir, "run");
  const runtime = join(run, "vya-backupdb");
  await mkdir(wrappers);
  await mkdir(tmp);
  const argvLog = join(dir, "argv.log");
  for (const [tool, real] of tools) await writeRecordingWrapper(wrappers, tool, real, argvLog);
  const logFile = join(dir, "run.log");
  const config = await writeDbConfig(dir, "secrets.yaml", [instance], { log_file: logFile });
  const result = await runCli(["-c", config, "--log-level", "debug", "--json", "backup"], { pathPrepend: [wrappers], env: { TMPDIR: tmp, XDG_RUNTIME_DIR: run } });
  if (result.exitCode !== 0) return { result, argv: "", tmp, runtime, sidecars: [], outputs: [] };

  const argv = await readFile(argvLog, "utf8");
  const written = (await allNames(join(dir, "backups"))).filter((n) => n.endsWith(".json"));
  // Run records (.runs/) are searched for the secret too, but they are not sidecars.
  const sidecars = written.filter((n) => !n.startsWith(".runs/") && !n.includes("/.runs/"));
  const outputs: [string, string][] = [
    ["argv", argv],
    ["stdout", String(result.stdout)],
    ["stderr", String(result.stderr)],
    ["log file", await readFile(logFile, "utf8")],
    ...(await Promise.all(written.map(async (s): Promise<[string, string]> => [s, await readFile(join(dir, "backups", s), "utf8")]))),
  ];
  return { result, argv, tmp, runtime, sidecars, outputs };
}
