import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (the OS picks it; released right away for the server to bind). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a long-running server with stdout/stderr appended to `logFile`. */
export function startDaemon(file: string, args: string[], options: { logFile: string; uid?: number | undefined; gid?: number | undefined; env?: NodeJS.ProcessEnv }): ChildProcess {
  const fd = openSync(options.logFile, "a");
  try {
    return spawn(file, args, {
      stdio: ["ignore", fd, fd],
      env: options.env ?? process.env,
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
  } finally {
    closeSync(fd);
  }
}

/** Polls `probe` until it resolves true; fails with the server log when the process exited or time ran out. */
export async function waitUntilReady(name: string, child: ChildProcess, logFile: string, probe: () => Promise<boolean>, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  let log = "";
  try {
    log = readFileSync(logFile, "utf8").slice(-3000);
  } catch {
    /* no log */
  }
  throw new Error(`${name} did not become ready (exit ${child.exitCode ?? child.signalCode ?? "none"}); log tail:\n${log}`);
}

/** Sends `signal`, then SIGKILL if the process has not exited after a while. */
export async function stopDaemon(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}
