import { access, constants, stat } from "node:fs/promises";
import { throwIfInterrupted } from "./errors.js";
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
  throwIfInterrupted(signal);
  if (!(await isExecutable(file))) return null;
  try {
    const { stdout } = await runCommand({ file, args: ["--version"] }, { signal, timeoutMs: 30_000 });
    return parse(stdout);
  } catch {
    // A probe stopped by an interrupt says nothing about the tool: "not found" would be a lie.
    throwIfInterrupted(signal);
    return null;
  }
}
