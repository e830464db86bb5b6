import { describe, expect, it } from "vitest";
import { convertLegacy, isLegacyConfig } from "../../src/config/legacy.js";
import { parseConfig } from "../../src/config/load.js";

const legacy = {
  server_info: { server_name: "wfdb02", location: "Datacenter SP" },
  paths: { backup_path: "/backup/vya_backupdb", log_path: "/var/log/vya_backupdb" },
  backup_options: { retention_days: 30, compress: true },
  db_config: [
    { id_dbms: 1, dbms: "mysql", host: "localhost", port: 3306, user: "backup_user", secret: "legacy-pw", db_list: ["app"], db_ignore: ["sys"], enabled: true },
    { id_dbms: 2, dbms: "postgresql", host: "db2", port: 5433, user: "pg", secret: "pg-pw", db_list: [], db_ignore: [], enabled: false },
    { id_dbms: 3, dbms: "files", host: "localhost", port: 0, db_list: ["/docker/volumes/**/*", "/opt/app/config/*.{yaml,json}"], enabled: true },
  ],
};

describe("legacy config", () => {
  it("is detected by db_config", () => {
    expect(isLegacyConfig(legacy)).toBe(true);
    expect(isLegacyConfig({ server: { name: "x" }, storage: {}, instances: [] })).toBe(false);
  });

  it("converts every entry to the new shape", () => {
    const { config, unmapped } = convertLegacy(legacy);
    expect(config).toEqual({
      server: { name: "wfdb02", location: "Datacenter SP" },
      storage: { local: { path: "/backup/vya_backupdb" } },
      options: { log_file: "/var/log/vya_backupdb/vya-backupdb.log" },
      retention: { keep_within: "30d", min_keep: 1 },
      instances: [
        { id: 1, type: "mysql", enabled: true, host: "127.0.0.1", port: 3306, user: "backup_user", password: "legacy-pw", databases: ["app"], exclude_databases: ["sys"] },
        { id: 2, type: "postgres", enabled: false, host: "db2", port: 5433, user: "pg", password: "pg-pw" },
        { id: 3, type: "files", enabled: true, paths: ["/docker/volumes/**/*", "/opt/app/config/*.{yaml,json}"] },
      ],
    });
    expect(unmapped.join("\n")).not.toContain("retention_days");
  });

  it("backup_options.retention_days / max_backup_age_days become keep_within (the longer one) with min_keep 1, valid for the new schema", () => {
    const { config, unmapped, problems } = convertLegacy({ ...legacy, backup_options: { retention_days: 14, max_backup_age_days: 45 } });
    expect(problems).toEqual([]);
    expect(config.retention).toEqual({ keep_within: "45d", min_keep: 1 });
    expect(unmapped.join("\n")).not.toMatch(/retention|max_backup_age/);
    const loaded = parseConfig({ ...legacy, backup_options: { retention_days: 7 } }, { file: "old.json", env: {} });
    expect(loaded.config.retention).toMatchObject({ keep_within: "7d", min_keep: 1 });
    expect(loaded.warnings.join("\n")).not.toContain("retention");
    expect(convertLegacy({ ...legacy, backup_options: { retention_days: "x" } }).problems).toEqual(["backup_options.retention_days: expected a whole number of days, got \"x\""]);
  });

  it("names keys it cannot map, with what to do", () => {
    const { unmapped } = convertLegacy({
      server_info: { server_name: "x" },
      databases: { mysql: { host: "h", user: "u", password_encrypted: "gAAAA…" } },
    });
    expect(unmapped.some((u) => u.startsWith("databases.mysql.password_encrypted") && u.includes("${env:NAME}"))).toBe(true);
  });

  it("loads through parseConfig with a one-line warning and validates", () => {
    const loaded = parseConfig(legacy, { file: "old.json", env: {} });
    expect(loaded.legacy).toBe(true);
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toContain("config migrate");
    expect(loaded.warnings[0]).not.toContain("\n");
    expect(loaded.config.instances.map((i) => i.type)).toEqual(["mysql", "postgres", "files"]);
  });
});

describe("legacy config never drops a setting silently", () => {
  const wfdb02 = {
    server_info: { server_name: "producao_01", location: "Datacenter SP" },
    schedule: { enabled: true, weekdays: [0, 1, 2, 3, 4], time: "02:30", timezone: "America/Sao_Paulo" },
    monitoring: { prometheus: { enabled: true, pushgateway: "http://prom:9091" } },
    databases: {
      mysql: { enabled: true, host: "localhost", port: 3306, user: "backup_user", password_encrypted: "aGFzaA==" },
      postgresql: { enabled: true, host: "localhost", port: 5432, user: "backup_user", secret: "pg-pw" },
    },
    paths: { backup_path: "/backup/vya", zip_path: "/backup/vya/archives", log_path: "/var/log/vya" },
    backup_options: { compress: false, retention_days: 30, create_zip: true, parallel_jobs: 4 },
    backup_filters: {
      mysql: { included_databases: ["app_prod", "user_data"], excluded_databases: ["temp_db"] },
      postgresql: { included_databases: ["webapp"], included_schemas: ["public"], excluded_tables: ["log_*"] },
    },
  };

  it("converts backup_filters onto the instances of their engine", () => {
    const { config, problems } = convertLegacy(wfdb02);
    expect(problems).toEqual([]);
    const instances = config.instances as Record<string, unknown>[];
    expect(instances.find((i) => i.type === "mysql")).toMatchObject({ databases: ["app_prod", "user_data"], exclude_databases: ["temp_db"] });
    expect(instances.find((i) => i.type === "postgres")).toMatchObject({ databases: ["webapp"], exclude_tables: ["log_*"] });
  });

  it("a flat backup_filters applies to every database instance; with db_list only what both name is kept", () => {
    const { config, unmapped, problems } = convertLegacy({
      db_config: [{ id_dbms: 1, dbms: "mysql", user: "u", db_list: ["a", "b"] }, { id_dbms: 2, dbms: "postgresql", user: "u" }],
      paths: { backup_path: "/b" },
      backup_filters: { included_databases: ["a", "c"], excluded_databases: ["tmp_*"] },
    });
    expect(problems).toEqual([]);
    const [mysql, pg] = config.instances as Record<string, unknown>[];
    expect(mysql).toMatchObject({ databases: ["a"], exclude_databases: ["tmp_*"] });
    expect(pg).toMatchObject({ databases: ["a", "c"], exclude_databases: ["tmp_*"] });
    expect(unmapped.some((u) => u.startsWith("db_config[0].db_list entries b"))).toBe(true);
  });

  it("names every setting it does not apply in the one-line warning", () => {
    const loaded = parseConfig(wfdb02, { file: "old.json", env: {} });
    const warning = loaded.warnings.join("\n");
    for (const key of ["paths.zip_path (", "backup_options.compress: false", "backup_options.parallel_jobs (", "databases.mysql.password_encrypted (", "backup_filters.postgresql.included_schemas ("]) {
      expect(warning).toContain(key);
    }
    expect(loaded.warnings).toHaveLength(1);
    expect(warning).not.toContain("pg-pw");
  });

  it("an unknown key is an error: top level, in an entry, in backup_filters", () => {
    const { problems } = convertLegacy({
      db_confg: [],
      server_info: { server_name: "x" },
      db_config: [{ id_dbms: 1, dbms: "mysql", user: "u", db_lsit: ["app"] }],
      backup_filters: { mysql: { include_databases: ["app"] } },
    });
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^db_confg: unknown key/),
        expect.stringMatching(/^db_config\[0\]\.db_lsit: unknown key/),
        expect.stringMatching(/^backup_filters\.mysql\.include_databases: unknown key/),
      ]),
    );
    expect(() => parseConfig({ db_confg: [], server_info: { server_name: "x" } }, { file: "old.json", env: {} })).toThrow(/db_confg: unknown key/);
  });

  it("db_list and included_databases with nothing in common is an error, never 'every database'", () => {
    const { problems } = convertLegacy({ db_config: [{ id_dbms: 1, dbms: "mysql", user: "u", db_list: ["a"] }], backup_filters: { included_databases: ["b"] } });
    expect(problems).toEqual([expect.stringContaining("db_config[0].db_list and backup_filters.included_databases name no database in common")]);
  });
});

describe("legacy monitoring settings are converted, not dropped", () => {
  it("monitoring.prometheus → metrics.pushgateway (job_name kept); email_settings → notifications.email; Slack → a webhook", () => {
    const loaded = parseConfig(
      {
        server_info: { server_name: "db01" },
        db_config: [{ id_dbms: 1, dbms: "mysql", user: "u", secret: "pw-123" }],
        monitoring: { prometheus: { enabled: true, pushgateway_url: "http://prom:9091", job_name: "vya_backup" }, slack: { webhook_url: "https://hooks.slack.com/services/T/B/X" } },
        email_settings: { enabled: true, smtp_server: "smtp.example.com", smtp_port: 465, use_ssl: true, smtp_user: "mailer", smtp_password: "smtp-pw-9", from_email: "b@db01", to_emails: ["ops@example.com", "dba@example.com"], send_on_success: true },
      },
      { file: "old.json", env: {} },
    );
    expect(loaded.config.metrics?.pushgateway).toMatchObject({ url: "http://prom:9091", job: "vya_backup" });
    expect(loaded.config.notifications?.email).toMatchObject({ host: "smtp.example.com", port: 465, tls: "implicit", user: "mailer", password: "smtp-pw-9", to: ["ops@example.com", "dba@example.com"], on: ["failure", "recovery", "success", "warning"] });
    expect(loaded.config.notifications?.webhooks).toEqual([{ name: "slack", url: "https://hooks.slack.com/services/T/B/X", format: "slack", on: ["failure", "recovery"] }]);
    const warning = loaded.warnings.join("\n");
    expect(warning).not.toContain("monitoring.prometheus");
    expect(warning).not.toContain("email_settings");
    expect(loaded.redactor.redact("smtp-pw-9")).toBe("***");
  });

  it("prometheus_settings with enabled: false is named, not converted", () => {
    const { config, unmapped } = convertLegacy({ db_config: [], prometheus_settings: { enabled: false, pushgateway_url: "http://p:9091" } });
    expect(config.metrics).toBeUndefined();
    expect(unmapped).toEqual(expect.arrayContaining([expect.stringContaining("prometheus_settings (enabled: false")]));
  });
});
