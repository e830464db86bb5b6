import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("--help and --version", () => {
  it("prints the package version", async () => {
    const result = await runCli(["--version"]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim()).toBe(pkg.version);
  });

  it.each([["backup"], ["config"], ["config", "migrate"]])("explains %s", async (...command) => {
    const result = await runCli([...command, "--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Usage: vya-backupdb");
    expect(result.stdout).toContain(command[command.length - 1]);
  });

  it("backup --help documents the exit codes", async () => {
    const result = await runCli(["backup", "--help"]);
    expect(result.stdout).toContain("--dry-run");
    expect(result.stdout).toMatch(/Exit codes: 0 all succeeded/);
  });
});
