import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { leftoverVerdict } from "../../src/run/sweep.js";
import { currentHost, ownerTag, parseOwner, processStart } from "../../src/util/owner.js";
import { chmod, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { runtimeDir, runtimeDirCandidates } from "../../src/util/runtime-dir.js";
import { makeTempDir } from "../helpers/tmp.js";

const HOUR = 3_600_000;
const now = Date.parse("2026-11-30T12:00:00Z");
const options = { nowMs: now, graceMs: 24 * HOUR, grace: "24h" };
const here = currentHost();
const tag = (pid: number, start: number, host = here.host, boot = here.boot) => `o-${host}-${boot}-${pid}-${start}`;

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

describe("which leftovers a backup removes", () => {
  it("this process's own tag: alive, kept whatever its age", () => {
    expect(parseOwner(`.x.zip.${ownerTag()}.0a1b2c3d.partial`)).toEqual({ ...here, pid: process.pid, start: processStart(process.pid) });
    expect(leftoverVerdict(`.vya-spool-${ownerTag()}-abc123`, now - 1000 * HOUR, options)).toEqual({ remove: false });
  });

  it("a dead owner on this machine: removed at once, naming the pid", () => {
    const pid = deadPid();
    expect(leftoverVerdict(`.vya-cred-${tag(pid, 12345)}-abc123`, now, options)).toEqual({ remove: true, reason: `owner process ${pid} is gone` });
  });

  it("a reused pid (running, but started at another time) is not the owner", () => {
    const start = processStart(process.pid) ?? 0;
    const verdict = leftoverVerdict(`.a.zip.${tag(process.pid, start + 1)}.0a1b2c3d.partial`, now, options);
    expect(verdict).toEqual({ remove: true, reason: `owner process ${process.pid} is gone (the pid was reused)` });
  });

  it("an owner from before the last reboot is gone", () => {
    const verdict = leftoverVerdict(`.a.zip.${tag(process.pid, processStart(process.pid) ?? 0, here.host, "00000000")}.0a1b2c3d.partial`, now, options);
    expect(verdict).toMatchObject({ remove: true, reason: expect.stringMatching(/before the last reboot/) });
  });

  it("another machine's files and untagged names: only once older than the grace period", () => {
    const foreign = `.a.zip.${tag(1, 1, "ffffffff")}.0a1b2c3d.partial`;
    expect(leftoverVerdict(foreign, now - 23 * HOUR, options)).toEqual({ remove: false });
    expect(leftoverVerdict(foreign, now - 25 * HOUR, options)).toEqual({ remove: true, reason: "older than 24h (written from another machine)" });
    expect(leftoverVerdict(".vya-cred-Ab12Cd", now - 23 * HOUR, options)).toEqual({ remove: false });
    expect(leftoverVerdict(".vya-cred-Ab12Cd", now - 25 * HOUR, options)).toEqual({ remove: true, reason: "older than 24h (no owner in its name)" });
  });
});

describe("the runtime directory for credential files", () => {
  it("prefers systemd's RUNTIME_DIRECTORY, then XDG_RUNTIME_DIR, then /run for root, then a per-user temp dir", () => {
    expect(runtimeDirCandidates({ RUNTIME_DIRECTORY: "/run/vya:/run/other", XDG_RUNTIME_DIR: "/run/user/0" }, 0, true)).toEqual([{ path: "/run/vya", create: false }]);
    expect(runtimeDirCandidates({ XDG_RUNTIME_DIR: "/run/user/1000", TMPDIR: "/var/tmp" }, 1000, true).map((c) => c.path)).toEqual(["/run/user/1000/vya-backupdb", "/var/tmp/vya-backupdb-1000"]);
    expect(runtimeDirCandidates({ TMPDIR: "/var/tmp" }, 0, true).map((c) => c.path)).toEqual(["/run/vya-backupdb", "/var/tmp/vya-backupdb-0"]);
    expect(runtimeDirCandidates({ TMPDIR: "/var/tmp" }, 1000, true)).toEqual([{ path: "/var/tmp/vya-backupdb-1000", create: true }]);
  });

  it("is created 0700, and one that exists but others can read is refused, not used", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const made = await runtimeDir({ XDG_RUNTIME_DIR: join(dir, "a") });
      expect(made).toBe(join(dir, "a", "vya-backupdb"));
      expect((await stat(made)).mode & 0o777).toBe(0o700);
      await mkdir(join(dir, "b", "vya-backupdb"), { recursive: true });
      await chmod(join(dir, "b", "vya-backupdb"), 0o755);
      await expect(runtimeDir({ XDG_RUNTIME_DIR: join(dir, "b") })).rejects.toThrow(/is not a private directory/);
    } finally {
      await cleanup();
    }
  });
});
