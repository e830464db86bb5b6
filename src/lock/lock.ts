import { createHash } from "node:crypto";
import { createConnection, createServer, type Server } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { InterruptedError, LockedError } from "../util/errors.js";
import { currentHolder, describeHolder, parseHolder, type LockHolder } from "./holder.js";

/**
 * One run at a time, without a lock file: the lock is a Unix socket bound in Linux's abstract
 * namespace. Binding is atomic (EADDRINUSE: held), the kernel releases the name when the holder
 * dies however it dies (SIGKILL, OOM), and there is no file to go stale and no pid to be
 * reused. The holder answers each connection with who it is, so the refused run can name it.
 *
 * The abstract namespace belongs to the network namespace: runs in different network namespaces
 * (two containers, a unit with PrivateNetwork=yes) do not see each other's lock. A backup needs
 * the network to reach its servers and remotes, so the tool's units never set PrivateNetwork
 * (docs/operations.md, "Locking").
 */
export interface HeldLock {
  readonly name: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for a held lock (0: fail at once). */
  waitMs: number;
  signal?: AbortSignal | undefined;
  /** Between two attempts while waiting. */
  pollMs?: number;
  /** Who this process is, as the holder's answer (default: this process). */
  holder?: LockHolder;
  /** Called once when the lock is held and this run starts waiting for it. */
  onWait?: (holder: LockHolder | null) => void;
}

/** sun_path's size on Linux. */
const SUN_PATH_BYTES = 108;

/**
 * The socket name of a lock: a hash, so any text (server name, path) fits, padded to all of
 * sun_path's 108 bytes. Node 20 binds an abstract name padded with NULs to 108 bytes, Node ≥ 22
 * binds it at its exact length: only a full-length name is the same socket for both, so the npm
 * install (the host's Node) and the single executable (Node 24) lock each other out.
 */
export function lockAddress(name: string): string {
  const base = `\0vya-backupdb/lock/${createHash("sha256").update(name).digest("hex")}/`;
  return base.padEnd(SUN_PATH_BYTES, "-");
}

/** Takes the lock `name` (e.g. "backup db01 /var/backups"), waiting up to `waitMs`; LockedError (exit 3) if it stays held. */
export async function acquireLock(name: string, what: string, options: LockOptions): Promise<HeldLock> {
  const address = lockAddress(name);
  const holder = options.holder ?? currentHolder();
  const deadline = Date.now() + options.waitMs;
  let waiting = false;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError(options.signal);
    const server = await tryListen(address, holder);
    if (server) return { name, release: () => close(server) };
    const other = await askHolder(address);
    if (Date.now() >= deadline) {
      const waited = options.waitMs > 0 ? ` (waited ${Math.round(options.waitMs / 1000)} s)` : "";
      throw new LockedError(`${what} is locked by another run${waited}: ${describeHolder(other)}; wait for it with --lock-wait DURATION`, other);
    }
    if (!waiting) options.onWait?.(other);
    waiting = true;
    await sleep(Math.min(options.pollMs ?? 200, Math.max(1, deadline - Date.now())), undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** A listening server when the name was free; null when another process holds it. */
function tryListen(address: string, holder: LockHolder): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const answer = `${JSON.stringify(holder)}\n`;
    const server = createServer((socket) => {
      socket.on("error", () => undefined);
      socket.end(answer);
    });
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") resolve(null);
      else reject(err);
    });
    server.listen({ path: address }, () => {
      // The lock must not keep a finished run alive.
      server.unref();
      resolve(server);
    });
  });
}

/** The holder's details; null when it does not answer within a second (busy, or just gone). */
function askHolder(address: string): Promise<LockHolder | null> {
  return new Promise((resolve) => {
    let text = "";
    const socket = createConnection({ path: address });
    const done = (value: LockHolder | null) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(null));
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("end", () => done(parseHolder(text)));
    socket.on("error", () => done(null));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The holder of lock `name` (null when it did not say who it is), or undefined when nobody holds it. Never takes the lock. */
export async function lockHolder(name: string): Promise<LockHolder | null | undefined> {
  const address = lockAddress(name);
  return new Promise((resolve) => {
    const socket = createConnection({ path: address });
    socket.once("connect", () => {
      socket.destroy();
      void askHolder(address).then(resolve);
    });
    socket.once("error", () => resolve(undefined));
  });
}
