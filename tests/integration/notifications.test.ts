import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { readLastRun } from "../../src/state/last-run.js";
import { runCli } from "../helpers/cli.js";
import { startHttpReceiver, startSmtp, type ReceivedMail, type ReceivedRequest } from "../helpers/notify-servers.js";
import { freePort } from "../helpers/ports.js";
import { makeTestCerts, type TestCerts } from "../helpers/tls.js";
import { makeTempDir } from "../helpers/tmp.js";

const SMTP_PASS = "smtp-S3cret-pa55";
const PG_PASS = "pg-Secret-4242xyz";
const HOOK_TOKEN = "T0KEN-hook-abcdef123456";
const SLACK_TOKEN = "SLACK-T0KEN-xyz987654";
const HC_TOKEN = "hc-0f1e2d3c-4b5a-6978";
const SECRETS = [SMTP_PASS, PG_PASS, HOOK_TOKEN, SLACK_TOKEN, HC_TOKEN];

let dir: string;
let cleanup: () => Promise<void>;
let certs: TestCerts;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let config: string;
const env = { PG_PASSWORD: PG_PASS };
/** stdout + stderr of every run of the binary, searched for secrets. */
const outputs: string[] = [];
async function run(args: string[]) {
  const result = await runCli(args, { env });
  outputs.push(String(result.stdout), String(result.stderr));
  return result;
}

function bytesOf(mails: ReceivedMail[], requests: ReceivedRequest[]): Buffer[] {
  return [
    ...mails.flatMap((m) => [m.raw, ...m.parsed.attachments.flatMap((a) => [a.content, a.filename?.endsWith(".gz") ? gunzipSync(a.content) : Buffer.alloc(0)])]),
    ...requests.flatMap((r) => [r.body, Buffer.from(r.url)]),
  ];
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-notify-"));
  certs = await makeTestCerts(dir);
  smtp = await startSmtp(certs, { user: "backup", pass: SMTP_PASS });
  http = await startHttpReceiver();
  await mkdir(join(dir, "state"));
  const base = `http://127.0.0.1:${http.port}`;
  config = join(dir, "config.yaml");
  await writeFile(
    config,
    stringify({
      server: { name: "db01", location: "Rack 7" },
      storage: { local: { path: join(dir, "store") } },
      instances: [
        { id: 1, name: "app-files", type: "files", paths: [`${dir}/src/*`] },
        // A database whose server is down: a failure whose message must not carry the password.
        { id: 2, name: "pg-down", type: "postgres", host: "127.0.0.1", port: await freePort(), user: "backup", password: "${env:PG_PASSWORD}", globals: false },
      ],
      options: { state_dir: join(dir, "state") },
      metrics: { textfile: join(dir, "vya.prom") },
      notifications: {
        timeout_seconds: 5,
        email: { host: "127.0.0.1", port: smtp.port, tls: "starttls", ca_file: certs.ca, user: "backup", password: SMTP_PASS, from: "backup@db01.test", to: ["ops@example.test"], cc: ["dba@example.test"], on: ["failure", "recovery"] },
        webhooks: [
          { name: "json-hook", url: `${base}/hooks/${HOOK_TOKEN}`, format: "json", on: ["failure", "success", "recovery", "start"] },
          { name: "slack", url: `${base}/slack/${SLACK_TOKEN}`, format: "slack", on: ["failure"] },
        ],
        heartbeat: { url: `${base}/ping/${HC_TOKEN}` },
      },
    }),
  );
});
afterAll(async () => {
  await smtp?.close();
  await http?.close();
  await cleanup?.();
});

describe("notifications of a failed run, then of its recovery", () => {
  it("a failed run: one e-mail over STARTTLS+AUTH with both parts, unit details and the log attached; webhooks and heartbeat in order", async () => {
    const result = await run(["-c", config, "backup", "-i", "1", "-i", "2", "--json"]);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.envelope.to.sort()).toEqual(["dba@example.test", "ops@example.test"]);
    expect(mail.parsed.subject).toMatch(/^\[vya-backupdb\] FAILED db01 backup: 2 of 2 failed/);
    expect(mail.parsed.headers.get("auto-submitted")).toBe("auto-generated");
    expect(mail.parsed.messageId).toMatch(/^<.+@db01\.test>$/);
    expect(mail.parsed.date).toBeInstanceOf(Date);
    // multipart/alternative (text + html) inside multipart/mixed with the attachment.
    expect(mail.raw.toString()).toMatch(/multipart\/alternative/);
    const text = mail.parsed.text ?? "";
    expect(text).toContain("server: db01 (Rack 7)");
    expect(text).toContain("exit code: 1");
    expect(text).toMatch(/app-files[\s\S]*error: no file matches/);
    expect(text).toMatch(/pg-down[\s\S]*error: /);
    expect(text).toContain("Last log lines");
    expect(mail.parsed.html).toContain("<h3>pg-down</h3>");
    const attachment = mail.parsed.attachments.find((a) => a.filename?.endsWith(".log.gz"));
    expect(attachment, "log attached on failure").toBeDefined();
    expect(gunzipSync(attachment!.content).toString()).toMatch(/planning failed|no file matches/);

    const paths = http.requests.map((r) => r.url.replace(/\?.*$/, ""));
    // Start notices first (heartbeat /start, the json hook's start), then the end ones.
    expect(paths.indexOf(`/ping/${HC_TOKEN}/start`)).toBeGreaterThanOrEqual(0);
    expect(paths.indexOf(`/ping/${HC_TOKEN}/fail`)).toBeGreaterThan(paths.indexOf(`/ping/${HC_TOKEN}/start`));
    const rids = http.requests.filter((r) => r.url.startsWith("/ping/")).map((r) => new URL(r.url, "http://x").searchParams.get("rid"));
    expect(new Set(rids).size).toBe(1);
    const hook = http.requests.filter((r) => r.url === `/hooks/${HOOK_TOKEN}`).map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
    expect(hook.map((h) => h.type)).toEqual(["start", "end"]);
    expect(hook[1]).toMatchObject({ schema: "vya-backupdb.notification/1", outcome: "failure", exit_code: 1, server: "db01" });
    expect((hook[1]!.report as { units: unknown[] }).units).toHaveLength(2);
    const slack = http.requests.filter((r) => r.url === `/slack/${SLACK_TOKEN}`).map((r) => JSON.parse(r.body.toString()) as { text: string });
    expect(slack).toHaveLength(1);
    expect(slack[0]!.text).toMatch(/FAILED db01/);

    const state = await readLastRun(join(dir, "state"), "db01");
    expect(state.ok && state.state.instances["app-files"]?.outcome).toBe("failure");
  });

  it("the next good run of the failed instance is RECOVERED (from the last-run state), heartbeat ends with success", async () => {
    await mkdir(join(dir, "src"), { recursive: true });
    await writeFile(join(dir, "src", "data.txt"), "hello\n");
    const before = http.requests.length;
    const result = await run(["-c", config, "backup", "-i", "1"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(smtp.mails).toHaveLength(2);
    const mail = smtp.mails[1]!;
    expect(mail.parsed.subject).toMatch(/^\[vya-backupdb\] RECOVERED db01 backup: 1 backed up/);
    expect(mail.parsed.attachments).toHaveLength(0);
    const text = mail.parsed.text ?? "";
    expect(text).toMatch(/archive: \S*\/app-files_\S+\.tar\.gz/);
    expect(text).toMatch(/sha256: [0-9a-f]{64}/);
    const paths = http.requests.slice(before).map((r) => r.url.replace(/\?.*$/, ""));
    expect(paths.filter((p) => p.startsWith("/ping/"))).toEqual([`/ping/${HC_TOKEN}/start`, `/ping/${HC_TOKEN}`]);
    expect(paths).not.toContain(`/slack/${SLACK_TOKEN}`);
  });

  it("notify test sends on each channel; --channel picks one", async () => {
    const mails = smtp.mails.length;
    const all = await run(["-c", config, "notify", "test"]);
    expect(all.exitCode, String(all.stderr)).toBe(0);
    expect(smtp.mails).toHaveLength(mails + 1);
    expect(smtp.mails.at(-1)!.parsed.subject).toBe("[vya-backupdb] TEST db01: notifications work");
    expect(http.requests.at(-1)).toBeDefined();
    const before = http.requests.length;
    const one = await run(["-c", config, "notify", "test", "--channel", "slack"]);
    expect(one.exitCode).toBe(0);
    expect(http.requests.slice(before).map((r) => r.url)).toEqual([`/slack/${SLACK_TOKEN}`]);
  });

  it("no secret (database, SMTP, webhook and heartbeat tokens) in any received byte, nor in the CLI's output", async () => {
    const received = bytesOf(smtp.mails, http.requests.map((r) => ({ ...r, url: r.url.replace(/^\/(hooks|slack|ping)\/[^/?]+/, "/$1") })));
    received.push(await readFile(join(dir, "vya.prom")), await readFile(join(dir, "state", "last-run.db01.json")));
    for (const secret of SECRETS) {
      for (const bytes of received) expect(bytes.includes(secret), `${secret} in a received message`).toBe(false);
      for (const text of outputs) expect(text).not.toContain(secret);
    }
  });
});

describe("a notifier never changes the exit code", () => {
  it("SMTP down and a webhook answering 500: backup still exits 0; notify test exits 1 naming each failed channel", async () => {
    const failing = await startHttpReceiver(500);
    try {
      const file = join(dir, "down.yaml");
      await writeFile(
        file,
        stringify({
          server: { name: "db01" },
          storage: { local: { path: join(dir, "store") } },
          instances: [{ id: 1, name: "app-files", type: "files", paths: [`${dir}/src/*`] }],
          options: { state_dir: join(dir, "state") },
          metrics: { textfile: join(dir, "down.prom") },
          notifications: {
            timeout_seconds: 0.5,
            retries: 1,
            email: { host: "127.0.0.1", port: await freePort(), ca_file: certs.ca, from: "backup@db01.test", to: ["ops@example.test"], on: ["success"] },
            webhooks: [{ url: `http://127.0.0.1:${failing.port}/hook`, on: ["success"] }],
          },
        }),
      );
      const result = await runCli(["-c", file, "backup", "--json"]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const report = JSON.parse(String(result.stdout)) as { notifications: { channel: string; status: string; attempts: number }[] };
      expect(report.notifications.map((n) => [n.channel, n.status, n.attempts]).sort()).toEqual([
        ["email", "failed", 2],
        ["webhook-1", "failed", 2],
      ]);
      expect(failing.requests).toHaveLength(2);
      // Counted in the metrics and in the last-run state.
      expect(await readFile(join(dir, "down.prom"), "utf8")).toMatch(/^vya_backupdb_notification_failures\{channel="email",kind="email"\} 1$/m);
      const state = await readLastRun(join(dir, "state"), "db01");
      expect(state.ok && state.state.notification_failures).toBe(2);
      const test = await runCli(["-c", file, "notify", "test"]);
      expect(test.exitCode).toBe(1);
      expect(String(test.stderr)).toMatch(/email failed.*webhook-1 failed/);
    } finally {
      await failing.close();
    }
  });

  it("an SMTP server refusing the login leaves the backup's exit 0; a certificate from another CA is refused", async () => {
    const wrongPass = "not-the-Right-pass-77";
    await mkdir(join(dir, "src"), { recursive: true });
    await writeFile(join(dir, "src", "data.txt"), "hello\n");
    const base = { server: { name: "db01" }, storage: { local: { path: join(dir, "store") } }, instances: [{ id: 1, name: "app-files", type: "files", paths: [`${dir}/src/*`] }], options: { state_dir: join(dir, "state") } };
    const email = { host: "127.0.0.1", port: smtp.port, ca_file: certs.ca, user: "backup", password: wrongPass, from: "backup@db01.test", to: ["ops@example.test"], on: ["success"] };
    const refused = join(dir, "refused.yaml");
    await writeFile(refused, stringify({ ...base, notifications: { timeout_seconds: 2, retries: 0, email } }));
    const mails = smtp.mails.length;
    const result = await runCli(["-c", refused, "backup", "--json"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { notifications: { channel: string; status: string; error: string }[] };
    expect(report.notifications).toEqual([expect.objectContaining({ channel: "email", status: "failed", error: expect.stringMatching(/535|auth/i) })]);
    expect(String(result.stdout) + String(result.stderr)).not.toContain(wrongPass);

    const otherCa = join(dir, "other-ca.yaml");
    await writeFile(otherCa, stringify({ ...base, notifications: { timeout_seconds: 2, retries: 0, email: { ...email, password: SMTP_PASS, ca_file: certs.otherCa } } }));
    const test = await runCli(["-c", otherCa, "notify", "test"]);
    expect(test.exitCode).toBe(1);
    expect(String(test.stdout)).toMatch(/FAILED\s+email.*certificate/is); // the error column wraps (100-column tables)
    expect(smtp.mails).toHaveLength(mails);
  });
});
