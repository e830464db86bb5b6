import { execa, type Result } from "execa";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The executable every integration test runs: bin/vya-backupdb (the bundled dist/cli.js on the
 * developer's node), or the one VYA_BACKUPDB_BIN names, e.g. the single executable
 * dist-bin/vya-backupdb that scripts/test.sh runs the whole suite against.
 */
export const BIN = process.env.VYA_BACKUPDB_BIN
  ? resolve(fileURLToPath(new URL("../..", import.meta.url)), process.env.VYA_BACKUPDB_BIN)
  : fileURLToPath(new URL("../../bin/vya-backupdb", import.meta.url));

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Extra directories put first on PATH (fake executables for fault injection). */
  pathPrepend?: string[];
  timeoutMs?: number;
  /** Run as this unprivileged user (root reads mode-000 files, so permission tests need one). */
  user?: { uid: number; gid: number };
}

/** Runs the real built binary with a clean environment, never throwing on a non-zero exit. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<Result> {
  return startCli(args, options);
}

/** Starts the binary like runCli without waiting: the child (pid, kill, exitCode) is also the promise of its result. */
export function startCli(args: string[], options: CliOptions = {}) {
  const path = [...(options.pathPrepend ?? []), process.env.PATH ?? "/usr/bin:/bin"].join(":");
  return execa(BIN, args, {
    cwd: options.cwd,
    env: { PATH: path, HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", ...options.env },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    timeout: options.timeoutMs ?? 120_000,
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
}
