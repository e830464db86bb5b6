import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { startPushgateway, startSmtp } from "../helpers/notify-servers.js";
import { freePort } from "../helpers/ports.js";
import { makeTestCerts, type TestCerts } from "../helpers/tls.js";
import { makeTempDir } from "../helpers/tmp.js";

const SMTP_PASS = "chk-Smtp-pw-58k";
const GW_PASS = "chk-Gw-pw-24z";
let dir: string;
let cleanup: () => Promise<void>;
let certs: TestCerts;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let gateway: Awaited<ReturnType<typeof startPushgateway>>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await mkdir(join(dir, "gw"));
  certs = await makeTestCerts(dir);
  [smtp, gateway] = await Promise.all([startSmtp(certs, { user: "backup", pass: SMTP_PASS }), startPushgateway(join(dir, "gw"))]);
});
afterAll(async () => {
  await Promise.allSettled([smtp?.close(), gateway?.stop()]);
  await cleanup();
});

/** A config with no instance (the monitoring checks only) and the given notifications and metrics blocks. */
async function writeConfig(name: string, email: Record<string, unknown>, pushgateway: Record<string, unknown>): Promise<string> {
  const file = join(dir, name);
  const config = {
    server: { name: "db01" },
    storage: { local: { path: join(dir, "store") } },
    notifications: { timeout_seconds: 3, email: { host: "127.0.0.1", ca_file: certs.ca, user: "backup", password: "${env:SMTP_PW}", from: "backup@db01.test", to: ["ops@example.test"], ...email } },
    metrics: { pushgateway: { timeout_seconds: 3, username: "prom", password: "${env:GW_PW}", ...pushgateway } },
  };
  await writeFile(file, stringify(config));
  await chmod(file, 0o600);
  return file;
}

const check = (config: string, smtpPassword = SMTP_PASS) => runCli(["-c", config, "check"], { env: { SMTP_PW: smtpPassword, GW_PW: GW_PASS } });

function expectNoSecrets(result: { stdout: unknown; stderr: unknown }, secrets: string[]): void {
  for (const secret of secrets) {
    expect(String(result.stdout)).not.toContain(secret);
    expect(String(result.stderr)).not.toContain(secret);
  }
}

describe("check: SMTP and Pushgateway reachable", () => {
  it("the harness's SMTP server (STARTTLS, AUTH) and Pushgateway: OK lines, exit 0", async () => {
    const config = await writeConfig("ok.yaml", { port: smtp.port }, { url: gateway.url });
    const result = await check(config);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    const out = String(result.stdout);
    expect(out).toMatch(new RegExp(`^OK {4}smtp reachable: email 127\\.0\\.0\\.1:${smtp.port}: connected, STARTTLS with a verified certificate, AUTH accepted for backup$`, "m"));
    expect(out).toMatch(new RegExp(`^OK {4}pushgateway reachable: 127\\.0\\.0\\.1:${gateway.port}: /-/ready answered 200$`, "m"));
    expectNoSecrets(result, [SMTP_PASS, GW_PASS]);
  });

  it("a wrong SMTP password and a Pushgateway on a closed port FAIL with their fix; exit 1; the secrets are nowhere", async () => {
    const closed = await freePort();
    const wrong = "not-the-Smtp-pw-77";
    const config = await writeConfig("bad.yaml", { port: smtp.port }, { url: `http://127.0.0.1:${closed}` });
    const result = await check(config, wrong);
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout);
    expect(out).toMatch(new RegExp(`^FAIL {2}smtp reachable: email 127\\.0\\.0\\.1:${smtp.port}: .*535.* — fix: check notifications\\.email\\.user and password`, "m"));
    expect(out).toMatch(new RegExp(`^FAIL {2}pushgateway reachable: 127\\.0\\.0\\.1:${closed}: ECONNREFUSED — fix: start the Pushgateway or correct metrics\\.pushgateway\\.url`, "m"));
    expectNoSecrets(result, [SMTP_PASS, GW_PASS, wrong]);
  });

  it("an SMTP port nobody listens on, and a certificate from another CA, FAIL naming the cause", async () => {
    const closed = await freePort();
    const [closedConfig, otherCaConfig] = await Promise.all([writeConfig("closed.yaml", { port: closed }, { url: gateway.url }), writeConfig("other-ca.yaml", { port: smtp.port, ca_file: certs.otherCa }, { url: gateway.url })]);
    const [refused, otherCa] = await Promise.all([check(closedConfig), check(otherCaConfig)]);
    expect(refused.exitCode).toBe(1);
    expect(String(refused.stdout)).toMatch(new RegExp(`^FAIL {2}smtp reachable: email 127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED.* — fix: check notifications\\.email\\.host and port`, "m"));
    expect(otherCa.exitCode).toBe(1);
    expect(String(otherCa.stdout)).toMatch(/^FAIL {2}smtp reachable: .*certificate.* — fix: .*ca_file/m);
  });
});
