import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { problemsOf } from "../helpers/config-problems.js";
import { packingOf } from "../../src/config/packing.js";
import { ConfigError } from "../../src/util/errors.js";

const base = { server: { name: "db01" }, storage: { local: { path: "/var/backups/x" } } };


describe("config schema", () => {
  it("fills defaults for a minimal files instance", () => {
    const { config } = parseConfig({ ...base, instances: [{ id: 3, type: "files", paths: ["/etc/*"] }] }, { file: "t", env: {} });
    const instance = config.instances[0];
    expect(instance).toMatchObject({ id: 3, type: "files", enabled: true, compression: "deflate", exclude: [], ignore_missing: false });
    expect(instance && packingOf(instance)).toMatchObject({ format: "tar.gz", compression: { algorithm: "gzip", level: 6 } });
    expect(config.options.concurrency).toBe(1);
    expect(config.storage.local.keep).toBe(true);
  });

  it("fills database defaults (port per type, zip, plain, globals)", () => {
    const { config } = parseConfig(
      { ...base, instances: [{ id: 1, type: "postgres", user: "u" }, { id: 2, type: "mysql", user: "u" }] },
      { file: "t", env: {} },
    );
    expect(config.instances[0]).toMatchObject({ port: 5432, format: "plain", globals: true, databases: [] });
    expect(config.instances[1]).toMatchObject({ port: 3306 });
    for (const instance of config.instances) expect(packingOf(instance).format).toBe("zip");
  });

  it("reports every problem at once, each with its path, expectation and finding", () => {
    const problems = problemsOf({
      ...base,
      instances: [
        { id: 1, type: "postgres", user: "u", port: "abc", passwrod: "x" },
        { id: 2, type: "oracle" },
        { id: 2, type: "files", paths: [] },
      ],
      extra: true,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'instances[0].port: expected a number, got "abc"',
        "instances[0].passwrod: unknown key (a typo?)",
        'instances[1].type: expected one of "postgres" | "mysql" | "files", got "oracle"',
        "instances[2].id: duplicate instance id 2 (also instances[1].id)",
        "instances[2].paths: expected at least 1 item(s), got 0",
        "extra: unknown key (a typo?)",
      ]),
    );
  });

  it("names missing required keys", () => {
    expect(problemsOf({ storage: base.storage })).toContain("server: required (an object) but missing");
    expect(problemsOf({ ...base, instances: [{ id: 1, type: "mysql" }] })).toContain("instances[0].user: required (a string) but missing");
  });

  it("rejects duplicate instance names, including the default <type>-<id>", () => {
    const problems = problemsOf({
      ...base,
      instances: [
        { id: 1, type: "files", paths: ["/a"], name: "files-2" },
        { id: 2, type: "files", paths: ["/b"] },
      ],
    });
    expect(problems).toContain('instances[1].name: duplicate instance name "files-2" (also instances[0])');
  });

  it("never prints a secret value in a type error", () => {
    const problems = problemsOf({ ...base, instances: [{ id: 1, type: "mysql", user: "u", password: 123456789 }] });
    expect(problems.join("\n")).not.toContain("123456789");
    expect(problems).toContain("instances[0].password: expected a string, got a secret value (hidden)");
  });

  it("rejects an unknown remote type and duplicate remote names", () => {
    const problems = problemsOf({
      ...base,
      storage: {
        local: { path: "/x" },
        remotes: [
          { name: "a", type: "ftp" },
          { name: "b", type: "s3", bucket: "x" },
          { name: "b", type: "s3", bucket: "y" },
        ],
      },
    });
    expect(problems).toContain('storage.remotes[0].type: expected one of "s3" | "sftp", got "ftp"');
    expect(problems).toContain('storage.remotes[2].name: duplicate remote name "b"');
  });
});

describe("relative paths", () => {
  it("resolves storage, log file and files patterns against the config file's directory", () => {
    const { config } = parseConfig(
      {
        server: { name: "s" },
        storage: { local: { path: "../backups" } },
        options: { log_file: "logs/x.log" },
        instances: [{ id: 1, type: "files", paths: ["data/**", "/abs/*.conf"] }],
      },
      { file: "/etc/vya[1]/config.yaml", env: {} },
    );
    expect(config.storage.local.path).toBe("/etc/backups");
    expect(config.options.log_file).toBe("/etc/vya[1]/logs/x.log");
    expect(config.instances[0]).toMatchObject({ paths: ["/etc/vya\\[1\\]/data/**", "/abs/*.conf"] });
  });
});
