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
      instances: [
        { id: 1, type: "mysql", enabled: true, host: "127.0.0.1", port: 3306, user: "backup_user", password: "legacy-pw", databases: ["app"], exclude_databases: ["sys"] },
        { id: 2, type: "postgres", enabled: false, host: "db2", port: 5433, user: "pg", password: "pg-pw" },
        { id: 3, type: "files", enabled: true, paths: ["/docker/volumes/**/*", "/opt/app/config/*.{yaml,json}"] },
      ],
    });
    expect(unmapped.join("\n")).toContain("backup_options.retention_days");
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
