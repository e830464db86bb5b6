import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/util/errors.js";
import { Redactor } from "../../src/util/redact.js";

const dir = mkdtempSync(join(tmpdir(), "vya-secrets-"));
const withPassword = (password: unknown, extra: Record<string, unknown> = {}) => ({
  server: { name: "db01" },
  storage: { local: { path: "/x" } },
  instances: [{ id: 1, type: "postgres", user: "u", password, ...extra }],
});

describe("secret references", () => {
  it("resolves ${env:NAME}", () => {
    const redactor = new Redactor();
    const { config } = parseConfig(withPassword("${env:PG_PW}"), { file: "t", env: { PG_PW: "s3cr3t-env" }, redactor });
    expect(config.instances[0]).toMatchObject({ password: "s3cr3t-env" });
    expect(redactor.redact("login with s3cr3t-env failed")).toBe("login with *** failed");
  });

  it("resolves ${file:/path} without the trailing newline", () => {
    const file = join(dir, "pw");
    writeFileSync(file, "from-file-pw\n");
    const { config } = parseConfig(withPassword(`\${file:${file}}`), { file: "t", env: {} });
    expect(config.instances[0]).toMatchObject({ password: "from-file-pw" });
  });

  it("resolves ${credential:NAME} from CREDENTIALS_DIRECTORY", () => {
    writeFileSync(join(dir, "dbpass"), "cred-pw");
    const { config } = parseConfig(withPassword("${credential:dbpass}"), { file: "t", env: { CREDENTIALS_DIRECTORY: dir } });
    expect(config.instances[0]).toMatchObject({ password: "cred-pw" });
  });

  it("keeps any other $ literal", () => {
    const { config } = parseConfig(withPassword("pa$$word${notaref}$HOME"), { file: "t", env: { HOME: "/root" } });
    expect(config.instances[0]).toMatchObject({ password: "pa$$word${notaref}$HOME" });
  });

  it("names the key of an unresolvable reference and never prints a value", () => {
    const err = (() => {
      try {
        parseConfig(withPassword("${env:MISSING_PW}", { host: "${file:/nonexistent/h}" }), { file: "t", env: { OTHER: "topsecretvalue" } });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.exitCode).toBe(2);
    expect(err.problems).toContain("instances[0].password: cannot resolve ${env:MISSING_PW}: environment variable MISSING_PW is not set");
    expect(err.problems).toContain("instances[0].host: cannot resolve ${file:/nonexistent/h}: file /nonexistent/h does not exist");
    expect(err.message).not.toContain("topsecretvalue");
  });

  it("reads password_file and registers it as a secret", () => {
    const file = join(dir, "pwfile");
    writeFileSync(file, "pw-from-password-file\n");
    const redactor = new Redactor();
    const raw = withPassword(undefined, { password_file: file });
    delete (raw.instances[0] as Record<string, unknown>).password;
    const { config } = parseConfig(raw, { file: "t", env: {}, redactor });
    expect(config.instances[0]).toMatchObject({ password: "pw-from-password-file" });
    expect(redactor.redact("x pw-from-password-file y")).toBe("x *** y");
  });

  it("registers literal passwords for redaction too", () => {
    const redactor = new Redactor();
    parseConfig(withPassword("literal-pw-$1"), { file: "t", env: {}, redactor });
    expect(redactor.redact('{"msg":"literal-pw-$1"}')).toBe('{"msg":"***"}');
  });
});
