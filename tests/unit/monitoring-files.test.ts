import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildRegistry } from "../../src/metrics/registry.js";
import { catalogueFacts } from "../../src/metrics/series.js";
import type { RunReport } from "../../src/run/report.js";

const dir = fileURLToPath(new URL("../../monitoring/", import.meta.url));

/** Every metric name the tool exports, from a registry built for a sample run. */
async function exportedNames(): Promise<Set<string>> {
  const report: RunReport = {
    run_id: "r",
    tool_version: "0",
    server: "db01",
    dry_run: false,
    started_at: "2026-01-01T00:00:00Z",
    completed_at: "2026-01-01T00:00:01Z",
    duration_ms: 1000,
    ok: true,
    interrupted: false,
    units: [],
    cleanup: { dry_run: false, ok: true, storages: [{ storage: "local", kept: 1, deleted: 0, bytes_freed: 0, resumed: 0, errors: [] }] },
  };
  const registry = buildRegistry({ run: { command: "backup", report, exitCode: 0, outcome: "success", recovery: false, logLines: [] }, facts: catalogueFacts([]), notifications: [], unreadableStorages: [] });
  return new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
}

const namesIn = (text: string) => new Set([...text.matchAll(/\b(vya_[a-z_]+)\b/g)].map((m) => m[1] as string));

describe("monitoring/ files", () => {
  it("promtool check rules and promtool test rules pass", async () => {
    const check = await execa("promtool", ["check", "rules", "alerts.yml"], { cwd: dir, reject: false });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    const test = await execa("promtool", ["test", "rules", "alerts.test.yml"], { cwd: dir, reject: false });
    expect(test.exitCode, test.stdout + test.stderr).toBe(0);
  });

  it("the alert rules and the dashboard reference only metrics the tool exports", async () => {
    const exported = await exportedNames();
    const rules = parse(readFileSync(`${dir}alerts.yml`, "utf8")) as { groups: { rules: { expr: string }[] }[] };
    const ruleNames = namesIn(rules.groups.flatMap((g) => g.rules.map((r) => r.expr)).join("\n"));
    const dashboard = JSON.parse(readFileSync(`${dir}grafana-dashboard.json`, "utf8")) as { panels: { targets: { expr: string }[] }[]; templating: { list: { definition?: string }[] } };
    const dashNames = namesIn([...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...dashboard.templating.list.map((v) => v.definition ?? "")].join("\n"));
    expect(ruleNames.size).toBeGreaterThan(3);
    expect(dashNames.size).toBeGreaterThan(5);
    for (const name of [...ruleNames, ...dashNames]) expect(exported, name).toContain(name);
    // Last success age, sizes, durations and failures are each shown.
    for (const needed of ["vya_backup_last_success_timestamp_seconds", "vya_backup_size_bytes", "vya_backup_duration_seconds", "vya_backup_errors_total"]) expect(dashNames).toContain(needed);
  });
});
