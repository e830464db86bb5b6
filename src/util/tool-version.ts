import { access, constants, stat } from "node:fs/promises";
import { runCommand } from "./process.js";

/** True for a regular file we may execute. */
export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Runs `<file> --version` and parses what it printed; null when the file is missing, not
 * executable, fails, or prints something `parse` does not recognise (a different tool).
 */
export async function probeVersion<T>(file: string, parse: (stdout: string) => T | null, signal?: AbortSignal): Promise<T | null> {
  if (!(await isExecutable(file))) return null;
  try {
    const { stdout } = await runCommand({ file, args: ["--version"] }, { signal, timeoutMs: 30_000 });
    return parse(stdout);
  } catch {
    return null;
  }
}
