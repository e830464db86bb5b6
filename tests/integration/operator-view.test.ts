import { execa } from "execa";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
let config: string;
const SGR = /\x1b\[[0-9;]*m/;
const PROGRESS = /files-1 {2}\d+(\.\d)? (B|KiB|MiB) written {2}\d+(\.\d)? (B|KiB|MiB)\/s {2}0:\d\d/;

/** Runs the binary on a pseudo-terminal (util-linux script), as a person at a terminal would; returns what the terminal showed. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number | undefined; screen: string }> {
  const command = [BIN, ...args].map((a) => `'${a}'`).join(" ");
  const result = await execa("script", ["-qec", command, "/dev/null"], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", TERM: "xterm", ...env }, extendEnv: false, reject: false, stdin: "ignore" });
  return { exitCode: result.exitCode, screen: String(result.stdout) };
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  // A long pattern: the dry-run "from" column must wrap to fit 100 columns.
  const data = join(dir, "a-rather-long-directory-name-for-the-data", "and-a-second-level-that-is-long-too");
  await mkdir(data, { recursive: true });
  await writeFile(join(data, "a.txt"), "hello\n");
  config = await writeStoreConfig(dir, [{ id: 1, type: "files", paths: [`${data}/*.txt`, `${data}/*.{yaml,json,conf,ini}`] }]);
});
afterAll(() => cleanup());

describe("what the operator sees", () => {
  it("on a terminal: a live progress line per unit and one coloured line per unit start/finish", async () => {
    const { exitCode, screen } = await onTerminal(["-c", config, "backup"]);
    expect(exitCode).toBe(0);
    expect(screen).toMatch(PROGRESS);
    expect(screen).toMatch(/INFO.*files-1: backup started/);
    expect(screen).toMatch(/INFO.*files-1: backup completed/);
    expect(screen).toMatch(SGR);
  });

  it("NO_COLOR: the same lines without colour codes", async () => {
    const { exitCode, screen } = await onTerminal(["-c", config, "backup"], { NO_COLOR: "1" });
    expect(exitCode).toBe(0);
    expect(screen).toMatch(PROGRESS);
    expect(screen).toMatch(/INFO: files-1: backup started/);
    expect(screen).not.toMatch(SGR);
  });

  it("under systemd (INVOCATION_ID), even on a terminal: no progress, JSON log lines", async () => {
    const { exitCode, screen } = await onTerminal(["-c", config, "backup"], { INVOCATION_ID: "0123456789abcdef" });
    expect(exitCode).toBe(0);
    expect(screen).not.toMatch(/ written {2}/);
    expect(screen).toMatch(/^\{"level":30,.*"msg":"backup started"\}\r?$/m);
  });

  it("in a pipe: no progress, JSON log lines on stderr", async () => {
    const result = await runCli(["-c", config, "backup"]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).not.toMatch(/ written {2}/);
    for (const line of String(result.stderr).trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("the dry-run and backup tables fit 100 columns", async () => {
    const dry = await runCli(["-c", config, "backup", "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    expect(String(dry.stdout)).toContain("archives would go to");
    expect(String(dry.stdout)).toContain("*.{yaml,json,conf,ini}");
    const backup = await runCli(["-c", config, "backup"]);
    for (const out of [String(dry.stdout), String(backup.stdout)]) {
      const widest = Math.max(...out.split("\n").map((l) => l.length));
      expect(widest, out).toBeLessThanOrEqual(100);
    }
    expect(String(backup.stdout)).toMatch(/^ok\s+files-1\s+-\s+\S+ \S+\s+\S+ m?s\s+files-1_\d{8}T\d{9}Z_[0-9a-f]+\.tar\.gz$/m);
  });
});
