import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { securityScore, verifyUnits } from "../helpers/systemd-analyze.js";
import { makeTempDir } from "../helpers/tmp.js";

const SECRET = "Inline-S3cret-9f2c";

describe("vya-backupdb schedule", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let config: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir("vya-schedule-"));
    config = join(dir, "db01.yaml");
    await writeFile(
      config,
      [
        "server: { name: db01 }",
        `storage: { local: { path: ${dir}/backups } }`,
        "instances:",
        '  - { id: 1, type: postgres, user: backup, password: "${credential:pg_password}" }',
        `  - { id: 2, type: mysql, user: backup, password: "${SECRET}" }`,
        "  - { id: 3, type: mysql, user: backup, password_file: /nonexistent/at/generation/time }",
        'schedule: { on_calendar: "Mon..Fri *-*-* 02:30", randomized_delay: 15m, timezone: Europe/Paris }',
      ].join("\n"),
      { mode: 0o600 },
    );
  });
  afterAll(() => cleanup());

  it("print: units that systemd-analyze verify accepts and security scores ≤ 2.0, without the secrets", async () => {
    const result = await runCli(["-c", config, "--json", "schedule", "print", "--exec", BIN, "--installed-config", "/etc/vya-backupdb/db01.yaml"]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    const units = JSON.parse(String(result.stdout)) as Record<string, string>;
    expect(Object.keys(units).sort()).toEqual(["vya-backupdb-db01.service", "vya-backupdb-db01.timer", "vya-backupdb-failure@.service"]);
    const unitDir = join(dir, "print");
    await mkdir(unitDir, { recursive: true });
    for (const [name, text] of Object.entries(units)) await writeFile(join(unitDir, name), text);
    expect(units["vya-backupdb-db01.service"]).toContain("LoadCredential=pg_password:/etc/vya-backupdb/credentials/db01/pg_password");
    expect(units["vya-backupdb-db01.service"]).toContain(`ReadWritePaths=${dir}/backups`);
    expect(units["vya-backupdb-db01.timer"]).toContain("OnCalendar=Mon..Fri *-*-* 02:30:00 Europe/Paris");

    const verify = await verifyUnits(Object.keys(units).map((name) => join(unitDir, name)));
    expect(verify.output).toBe("");
    expect(verify.exitCode).toBe(0);
    const { score, output } = await securityScore(join(unitDir, "vya-backupdb-db01.service"));
    expect(score, output).toBeLessThanOrEqual(2.0);
  });

  it("verify is a real judge: a unit with a typo is reported (and exits 0, so the output must be empty)", async () => {
    const broken = join(dir, "broken.service");
    await writeFile(broken, `[Service]\nType=oneshot\nExecStart=${BIN} backup\nProtectSystm=strict\n`);
    const verify = await verifyUnits([broken]);
    expect(verify.output).toMatch(/Unknown key 'ProtectSystm'/);
  });

  it("print --cron: a cron.d file with the credentials folder", async () => {
    const result = await runCli(["-c", config, "schedule", "print", "--cron", "--exec", "/usr/bin/vya-backupdb", "--installed-config", "/etc/vya-backupdb/db01.yaml"]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).split("\n")).toEqual(
      expect.arrayContaining(["CREDENTIALS_DIRECTORY=/etc/vya-backupdb/credentials/db01", "30 2 * * 1-5 root /usr/bin/vya-backupdb --config /etc/vya-backupdb/db01.yaml backup"]),
    );
    expect(result.stdout).not.toContain(SECRET);
  });

  it("install --root: writes the units and the storage path under the root, never runs systemctl, says what it did", async () => {
    const root = join(dir, "root");
    const result = await runCli(["-c", config, "schedule", "install", "--root", root, "--exec", BIN]);
    expect(result.exitCode).toBe(0);
    const unit = join(root, "etc/systemd/system/vya-backupdb-db01.service");
    expect(result.stdout).toContain(`wrote ${unit}`);
    expect(result.stdout).toContain(`created ${join(root, dir, "backups")} (mode 0700)`);
    expect(result.stdout).toMatch(/credential file .*pg_password does not exist yet/);
    expect(result.stdout).toContain("systemctl not run (--root");
    expect(result.stdout).not.toContain("ran systemctl");
    expect((await stat(unit)).mode & 0o777).toBe(0o644);
    expect(await readFile(unit, "utf8")).toContain(`ExecStart=${BIN} --config ${config} backup`);
    expect((await stat(join(root, "etc/systemd/system/vya-backupdb-db01.timer"))).isFile()).toBe(true);

    const cron = await runCli(["-c", config, "schedule", "install", "--cron", "--root", root]);
    expect(cron.exitCode).toBe(0);
    expect(await readFile(join(root, "etc/cron.d/vya-backupdb-db01"), "utf8")).toContain("30 2 * * 1-5 root");
  });

  it("an invalid schedule is a config error naming the key (exit 2)", async () => {
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, `server: { name: x }\nstorage: { local: { path: ${dir}/b } }\nschedule: { on_calendar: "Mon..Fry 02:30" }\n`);
    const result = await runCli(["-c", bad, "schedule", "print"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("schedule.on_calendar: not a systemd calendar expression");
  });
});
