import { describe, expect, it } from "vitest";
import { commandNameOf } from "../../src/cli/commands.js";

describe("commandNameOf (which command module to load)", () => {
  it("skips global options and their values", () => {
    expect(commandNameOf(["-c", "backup.yaml", "--log-level", "debug", "--json", "backup", "-i", "3"])).toBe("backup");
    expect(commandNameOf(["--config", "list", "verify"])).toBe("verify");
  });

  it("maps aliases to their command", () => {
    expect(commandNameOf(["restore-list", "--instance", "3"])).toBe("list");
  });

  it("is undefined without a known command, so every command is loaded for help and suggestions", () => {
    expect(commandNameOf(["--help"])).toBeUndefined();
    expect(commandNameOf(["bakcup"])).toBeUndefined();
  });
});
