import { describe, expect, it } from "vitest";
import { isArchiveKey } from "../../src/catalog/list.js";
import { archiveFileName } from "../../src/catalog/naming.js";
import { parseConfig } from "../../src/config/load.js";
import { problemsOf } from "../helpers/config-problems.js";
import { encryptionPlan } from "../../src/crypto/target.js";
import { rollbackCommand } from "../../src/restore/safety.js";

/** The encryption block: validation, per-instance override, what the sidecar will record, names. */
const base = { server: { name: "db01" }, storage: { local: { path: "/var/backups/x" } } };
const R1 = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const R2 = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";
const files = (extra: Record<string, unknown> = {}) => ({ id: 3, type: "files", paths: ["/etc/*"], ...extra });


describe("encryption config", () => {
  it.each([
    [{ age: { recipients: ["age1NOTVALID"] } }, /expected an age X25519 recipient/],
    [{ age: {} }, /give recipients, recipients_file or passphrase/],
    [{ age: { recipients: [R1], passphrase: "x" } }, /cannot be combined with recipients/],
    [{ age: { recipients: [R1] }, typo: 1 }, /typo/],
  ])("refuses %j", (encryption, problem) => {
    expect(problemsOf({ ...base, encryption, instances: [files()] }).join("\n")).toMatch(problem);
  });

  it("the instance's block replaces the global one; false turns it off; the plan records fingerprints, never the passphrase", async () => {
    const { config } = parseConfig(
      {
        ...base,
        encryption: { age: { recipients: [R1, R1] } },
        instances: [files(), files({ id: 4, encryption: { age: { recipients: [R2] } } }), files({ id: 5, encryption: false }), files({ id: 6, encryption: { age: { passphrase: "${env:PW}" } } })],
      },
      { file: "t", env: { PW: "pass-phrase-secret" } },
    );
    const [global, own, off, pass] = await Promise.all(config.instances.map((i) => encryptionPlan(config, i)));
    expect(global?.target).toEqual({ recipients: [R1] });
    expect(global?.record.recipients).toEqual([{ type: "X25519", fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) }]);
    expect(own?.target).toEqual({ recipients: [R2] });
    expect(own?.record.recipients[0]?.fingerprint).not.toBe(global?.record.recipients[0]?.fingerprint);
    expect(off).toBeNull();
    expect(pass?.target).toEqual({ passphrase: "pass-phrase-secret" });
    expect(JSON.stringify(pass?.record)).not.toContain("pass-phrase-secret");
  });

  it("an unreadable recipients_file is a config error naming the file", async () => {
    const { config } = parseConfig({ ...base, encryption: { age: { recipients_file: "/nonexistent/recipients.txt" } }, instances: [files()] }, { file: "t", env: {} });
    await expect(encryptionPlan(config, config.instances[0]!)).rejects.toThrow(/recipients_file: cannot read \/nonexistent\/recipients.txt \(ENOENT\)/);
  });
});

describe("encrypted archive names", () => {
  it("end in .age after the format, and are listed as archives", () => {
    const name = archiveFileName({ instance: "pg", database: "app", kind: "database", startedAt: new Date(0), runId: "abc123", extension: "tar.gz", encrypted: true });
    expect(name).toBe("pg_app_19700101T000000000Z_abc123.tar.gz.age");
    expect(isArchiveKey(`db01/pg/app/${name}`)).toBe(true);
    expect(isArchiveKey(`db01/pg/app/${name}.json`)).toBe(false);
  });
});

describe("the rollback command of an encrypted safety backup", () => {
  it("carries the identity file the restore was given; a plaintext one does not", () => {
    const encrypted = { archive: "/b/pg_app_x.zip.age", name: "pg_app_x.zip.age" };
    expect(rollbackCommand(encrypted, "app", "/etc/c.yaml", "/root/key.txt")).toBe("vya-backupdb -c /etc/c.yaml restore --file pg_app_x.zip.age --target app --force --mode fast --identity /root/key.txt");
    expect(rollbackCommand({ archive: "/b/pg_app_x.zip", name: "pg_app_x.zip" }, "app", undefined, "/root/key.txt")).not.toContain("--identity");
  });
});
