import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports.js";
import { makeTempDir } from "./tmp.js";

export const SSHD = "/usr/sbin/sshd";

export interface SshServer {
  host: string;
  port: number;
  username: string;
  dir: string;
  /** An empty directory to use as an SFTP remote's `path`. */
  root: string;
  /** "SHA256:…" of the server's host key, as ssh-keygen -lf prints it. */
  hostKeySha256: string;
  /** The host key's public line ("ssh-ed25519 AAAA…"), for known_hosts files. */
  hostKeyLine: string;
  /** A client key protected by `passphrase`, authorized for `username`. */
  clientKeyFile: string;
  passphrase: string;
  /** The listening sshd; each client connection is served by a child of it. */
  pid: number;
  /** Pids of the sshd children serving client connections right now (killing one cuts its connection). */
  sessions(): number[];
  /** sshd's stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Debian's OpenSSH sshd as a child of the test (-D -e: no daemon, logs on stderr), on a free
 * loopback port, with a fresh host key, a passphrase-protected client key and internal-sftp,
 * everything under a temporary directory. Logs in as the user running the tests.
 */
export async function startSshd(): Promise<SshServer> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: run scripts/setup-test-env.sh (it installs openssh-server)`);
  const tmp = await makeTempDir("vya-sshd-");
  const dir = tmp.dir;
  const passphrase = `key-pass-${Math.random().toString(36).slice(2, 10)}`;
  const keygen = (file: string, pass: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", pass, "-C", "vya-test", "-f", file], { stdio: "ignore" });
  keygen(join(dir, "host_ed25519"), "");
  keygen(join(dir, "client_ed25519"), passphrase);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_ed25519.pub")), { mode: 0o600 });
  const hostKeySha256 = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(dir, "host_ed25519.pub")], { encoding: "utf8" }).split(/\s+/)[1] ?? "";
  const hostKeyLine = readFileSync(join(dir, "host_ed25519.pub"), "utf8").split(/\s+/).slice(0, 2).join(" ");
  const root = join(dir, "sftp-root");
  mkdirSync(root, { mode: 0o700 });
  // Privilege separation needs this directory even with -D; a package install normally makes it.
  if (!existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755, recursive: true });

  const port = await freePort();
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, "host_ed25519")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication yes",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin yes",
    "Subsystem sftp internal-sftp",
    "MaxStartups 50",
    "MaxSessions 50",
    "LogLevel VERBOSE",
  ].join("\n");
  writeFileSync(join(dir, "sshd_config"), `${config}\n`);
  let log = "";
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await Promise.race([waitForPort(port), exited.then(() => Promise.reject(new Error(`sshd exited: ${log}`)))]);
  } catch (err) {
    child.kill("SIGKILL");
    await tmp.cleanup();
    throw err;
  }
  return {
    host: "127.0.0.1",
    port,
    username: userInfo().username,
    dir,
    root,
    hostKeySha256,
    hostKeyLine,
    clientKeyFile: join(dir, "client_ed25519"),
    passphrase,
    pid: child.pid ?? 0,
    sessions: () => childrenOf(child.pid ?? -1),
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      await tmp.cleanup();
    },
  };
}

/** Child pids of `parent`, from /proc (procps may be missing on a minimal system). */
function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
