import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { withoutSecrets } from "../../src/config/offline.js";
import { cronFields, renderCron } from "../../src/schedule/cron.js";
import { schedulePlan } from "../../src/schedule/plan.js";
import { renderService, renderTimer, renderUnits } from "../../src/schedule/units.js";
import { unitWord } from "../../src/schedule/unit-syntax.js";

const config = configSchema.parse({
  server: { name: "db01", location: "50% rack" },
  storage: { local: { path: "/srv/backups/vya" } },
  options: { tmp_dir: "/srv/scratch", log_file: "/var/log/vya/run.log" },
  schedule: { on_calendar: "Mon..Fri *-*-* 02:30", randomized_delay: "15m", timezone: "Europe/Paris", timeout: "2h" },
});
const plan = schedulePlan(config, ["smtp", "pg_password", "pg_password"], { configPath: "/etc/vya-backupdb/db01.yaml", execPath: "/usr/bin/vya-backupdb" });
const lines = (text: string) => text.split("\n");

describe("generated service", () => {
  const service = renderService(plan);
  it.each([
    "Type=oneshot",
    "ExecStart=/usr/bin/vya-backupdb --config /etc/vya-backupdb/db01.yaml backup",
    "TimeoutStartSec=7200",
    "LoadCredential=pg_password:/etc/vya-backupdb/credentials/db01/pg_password",
    "LoadCredential=smtp:/etc/vya-backupdb/credentials/db01/smtp",
    "OnFailure=vya-backupdb-failure@%n.service",
    "ProtectSystem=strict",
    "ReadWritePaths=/srv/backups/vya",
    "ReadWritePaths=/srv/scratch",
    "ReadWritePaths=/var/log/vya",
    "ProtectHome=read-only",
    "PrivateTmp=true",
    "NoNewPrivileges=true",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "SystemCallFilter=@system-service",
    "MemoryDenyWriteExecute=no",
    "CapabilityBoundingSet=CAP_DAC_READ_SEARCH",
    "Description=vya-backupdb: back up db01 (50%% rack)",
  ])("has %s", (line) => expect(lines(service)).toContain(line));

  it("loads each credential once", () => expect(lines(service).filter((l) => l.startsWith("LoadCredential=pg_password"))).toHaveLength(1));
  it("names a configured OnFailure unit and then brings no template of its own", () => {
    const custom = schedulePlan(configSchema.parse({ ...config, schedule: { on_calendar: "daily", on_failure: "mail-ops@%n.service".replace("%n", "x") } }), [], { configPath: "/c.yaml", execPath: "/b" });
    const units = renderUnits(custom);
    expect(lines(units.service.text)).toContain("OnFailure=mail-ops@x.service");
    expect(units.failure).toBeUndefined();
  });
});

describe("generated timer", () => {
  const timer = renderTimer(plan);
  it.each(["OnCalendar=Mon..Fri *-*-* 02:30:00 Europe/Paris", "RandomizedDelaySec=900", "FixedRandomDelay=true", "Persistent=true", "Unit=vya-backupdb-db01.service", "WantedBy=timers.target"])("has %s", (line) =>
    expect(lines(timer)).toContain(line),
  );
  it("without a schedule block: daily at 02:30 with a 15 minute delay", () => {
    const bare = schedulePlan(configSchema.parse({ server: { name: "x" }, storage: { local: { path: "/b" } } }), [], { configPath: "/c", execPath: "/b" });
    expect(lines(renderTimer(bare))).toEqual(expect.arrayContaining(["OnCalendar=*-*-* 02:30:00", "RandomizedDelaySec=900"]));
  });
});

describe("unit file words", () => {
  it.each([
    ["/usr/bin/x", "/usr/bin/x"],
    ["/srv/my backups", '"/srv/my backups"'],
    ["/srv/50%", "/srv/50%%"],
    ['/a"b', '"/a\\"b"'],
  ])("%j → %s", (value, expected) => expect(unitWord(value)).toBe(expected));
  it("refuses a line break", () => expect(() => unitWord("a\nExecStartPre=/bin/evil")).toThrow(/line break/));
});

describe("cron", () => {
  it.each([
    ["Mon..Fri *-*-* 02:30", "30 2 * * 1-5"],
    ["daily", "0 0 * * *"],
    ["hourly", "0 * * * *"],
    ["Sat,Sun 03:05", "5 3 * * 0,6"],
    ["Sun,Mon,Tue 1:00", "0 1 * * 0-2"],
    ["*:0/15", "*/15 * * * *"],
    ["*-*-* 5/2:10", "10 5-23/2 * * *"],
    ["*-*-* 1..5/2:00", "0 1-5/2 * * *"],
    ["*-*-1,15 03:00", "0 3 1,15 * *"],
    ["quarterly", "0 0 1 1,4,7,10 *"],
    ["02:30 UTC", "30 2 * * *"],
  ])("%s → %s", (calendar, fields) => expect(cronFields(calendar)).toBe(fields));

  it.each([
    ["*-*-* 02:30:15", "whole minutes"],
    ["2030-*-* 02:30", "year"],
    ["Mon *-*-01..07 02:00", "day OR the weekday"],
    ["minutely", null],
  ])("%s has no cron form (%s)", (calendar, why) => {
    if (why === null) expect(cronFields(calendar)).toBe("* * * * *");
    else expect(() => cronFields(calendar)).toThrow(why);
  });

  it("the cron.d file sets the credentials folder and the zone, and escapes % for cron", () => {
    const odd = { ...plan, execPath: "/opt/50% off/vya-backupdb" };
    const text = renderCron(odd);
    expect(lines(text)).toEqual(expect.arrayContaining(["CREDENTIALS_DIRECTORY=/etc/vya-backupdb/credentials/db01", "CRON_TZ=Europe/Paris"]));
    expect(text).toContain("30 2 * * 1-5 root '/opt/50\\% off/vya-backupdb' --config /etc/vya-backupdb/db01.yaml backup");
  });
});

describe("config without its secrets", () => {
  it("collects credential names and hides every reference", () => {
    const { value, credentials } = withoutSecrets({ a: "${credential:pg}", b: ["x${env:S}y", { c: "${credential: smtp }", password_file: "${file:/x}" }] });
    expect(credentials).toEqual(["pg", "smtp"]);
    expect(JSON.stringify(value)).not.toMatch(/\$\{/);
  });
});
