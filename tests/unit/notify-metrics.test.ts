import { describe, expect, it } from "vitest";
import { groupingSegment, pushUrl } from "../../src/metrics/pushgateway.js";
import { buildRegistry } from "../../src/metrics/registry.js";
import { catalogueFacts } from "../../src/metrics/series.js";
import { extraSections } from "../../src/notify/render.js";
import { heartbeatUrl } from "../../src/notify/heartbeat.js";
import type { Notice } from "../../src/notify/notice.js";
import { classifyRun, isRecovery, nextLastRun, runEvents, wants } from "../../src/notify/outcome.js";
import { registerChannelSecrets } from "../../src/notify/secrets.js";
import type { RunReport, UnitOutcome } from "../../src/run/report.js";
import { Redactor } from "../../src/util/redact.js";

const unit = (name: string, status: UnitOutcome["status"], warnings: string[] = []): UnitOutcome => ({
  instance: { id: 1, name, type: "files" },
  kind: "files",
  database: null,
  status,
  duration_ms: 5,
  warnings,
});
const report = (units: UnitOutcome[], extra: Partial<RunReport> = {}): RunReport => ({
  run_id: "abc123",
  tool_version: "0.1.0",
  server: "db01",
  dry_run: false,
  started_at: "2026-01-01T00:00:00.000Z",
  completed_at: "2026-01-01T00:01:00.000Z",
  duration_ms: 60_000,
  ok: units.every((u) => u.status !== "failed"),
  interrupted: false,
  units,
  ...extra,
});

describe("run outcome, events and recovery", () => {
  it.each([
    ["all ok", [unit("a", "success")], 0, "success"],
    ["a warning", [unit("a", "success", ["w"])], 0, "warning"],
    ["a failed unit", [unit("a", "success"), unit("b", "failed")], 1, "failure"],
    ["interrupted (exit 143) with only good units", [unit("a", "success")], 143, "failure"],
  ] as const)("%s → %s", (_name, units, exit, outcome) => {
    expect(classifyRun(report([...units]), exit)).toBe(outcome);
  });

  it("recovery: a good run of an instance that failed last time; not for an instance that did not run", () => {
    const failed = report([unit("a", "failed"), unit("b", "success")]);
    const state = nextLastRun(undefined, { command: "backup", report: failed, exitCode: 1, outcome: "failure" }, 0);
    expect(state.instances.a?.outcome).toBe("failure");
    expect(state.instances.b?.last_success_at).toBe(failed.completed_at);
    expect(isRecovery(state, report([unit("a", "success")]), "success")).toBe(true);
    expect(isRecovery(state, report([unit("b", "success")]), "success")).toBe(false);
    expect(isRecovery(state, report([unit("a", "failed")]), "failure")).toBe(false);
    expect(isRecovery(undefined, report([unit("a", "success")]), "success")).toBe(false);
    // A failed run keeps the last success time of an instance.
    const again = nextLastRun(state, { command: "backup", report: report([unit("b", "failed")], { completed_at: "2026-01-02T00:00:00.000Z" }), exitCode: 1, outcome: "failure" }, 2);
    expect(again.instances.b).toMatchObject({ outcome: "failure", last_success_at: failed.completed_at });
    expect(again.instances.a?.outcome).toBe("failure");
    expect(again.notification_failures).toBe(2);
  });

  it("channels: default [failure, recovery] hears a recovery, not a plain success", () => {
    expect(runEvents({ outcome: "success", recovery: true })).toEqual(["success", "recovery"]);
    expect(wants(["failure", "recovery"], runEvents({ outcome: "success", recovery: true }))).toBe(true);
    expect(wants(["failure", "recovery"], runEvents({ outcome: "success", recovery: false }))).toBe(false);
    expect(wants(["failure"], runEvents({ outcome: "warning", recovery: false }))).toBe(false);
  });
});

describe("Pushgateway grouping key", () => {
  it.each([
    ["db01", "instance/db01"],
    ["a/b", `instance@base64/${Buffer.from("a/b").toString("base64url")}`],
    ["", "instance@base64/="],
    ["a b", "instance/a%20b"],
  ])("%j → %s", (value, segment) => {
    expect(groupingSegment("instance", value)).toBe(segment);
  });

  it("builds the PUT path from the job and grouping key", () => {
    expect(pushUrl("http://gw:9091/", "vya-backupdb", { instance: "db01" })).toBe("http://gw:9091/metrics/job/vya-backupdb/instance/db01");
  });
});

describe("heartbeat URLs (Healthchecks style)", () => {
  const end = (outcome: "success" | "failure", exitCode: number) =>
    ({ type: "end", server: "db01", subject: "", sections: [], runUuid: "r1", events: [outcome], logTail: [], run: { outcome, exitCode } }) as unknown as Notice;
  it.each([
    [{ type: "start", server: "db01", subject: "", sections: [], runUuid: "r1", startedAt: "" } as Notice, false, "https://hc.example/ping/abc/start?rid=r1"],
    [end("success", 0), false, "https://hc.example/ping/abc?rid=r1"],
    [end("failure", 1), false, "https://hc.example/ping/abc/fail?rid=r1"],
    [end("failure", 143), true, "https://hc.example/ping/abc/143?rid=r1"],
  ])("%#", (notice, exitCodePath, url) => {
    expect(heartbeatUrl("https://hc.example/ping/abc/", notice, exitCodePath)).toBe(url);
  });
});

describe("webhook URLs are secrets", () => {
  it("the token path of a literal URL is redacted from free text", () => {
    const redactor = new Redactor();
    registerChannelSecrets({ timeout_seconds: 10, retries: 1, webhooks: [{ url: "https://hooks.slack.com/services/T000/B000/XXXXSECRET", format: "slack", on: ["failure"] }] }, redactor);
    const text = redactor.redact("POST /services/T000/B000/XXXXSECRET failed");
    expect(text).not.toContain("XXXXSECRET");
  });
});

describe("config print masks webhook and heartbeat URLs", () => {
  it("notifications' URLs become ***, the Pushgateway URL stays", async () => {
    const { maskSecrets } = await import("../../src/config/mask.js");
    const masked = maskSecrets({
      notifications: { webhooks: [{ url: "https://hooks.example/T0KEN" }], heartbeat: { url: "https://hc.example/ping/uuid" }, email: { password: "pw" } },
      metrics: { pushgateway: { url: "http://gw:9091" } },
    });
    expect(masked).toEqual({ notifications: { webhooks: [{ url: "***" }], heartbeat: { url: "***" }, email: { password: "***" } }, metrics: { pushgateway: { url: "http://gw:9091" } } });
  });
});

describe("retention's cleanup in messages and metrics", () => {
  const cleanup = {
    dry_run: false,
    ok: false,
    storages: [
      { storage: "local", kept: 9, deleted: 3, bytes_freed: 3 * 1024 * 1024, resumed: 1, errors: [] },
      { storage: "s3-offsite", kept: 12, deleted: 0, bytes_freed: 0, resumed: 0, errors: ["deleting app_x.zip failed: AccessDenied"] },
      { storage: "sftp", kept: 0, deleted: 0, bytes_freed: 0, resumed: 0, errors: [], skipped: "its upload failed in this run" },
    ],
  };

  it("the e-mail/Slack sections list each storage's kept, deleted, freed, skipped and errors", () => {
    const sections = extraSections(report([], { cleanup }));
    const section = sections.find((s) => s.title.startsWith("Cleanup"));
    expect(section?.title).toBe("Cleanup (retention) — FAILED");
    expect(section?.lines).toEqual([
      "local: 9 kept, 3 deleted, 3.0 MiB freed, 1 interrupted deletion(s) finished",
      "s3-offsite: 12 kept, 0 deleted, 0 B freed",
      "sftp: not cleaned (its upload failed in this run)",
      "s3-offsite: error: deleting app_x.zip failed: AccessDenied",
    ]);
    expect(extraSections(report([])).some((s) => s.title.startsWith("Cleanup"))).toBe(false);
  });

  it("the metrics carry deletions, bytes freed, kept and errors per cleaned storage", async () => {
    const run = { command: "backup" as const, report: report([], { cleanup }), exitCode: 1, outcome: "failure" as const, recovery: false, logLines: [] };
    const registry = buildRegistry({ run, facts: catalogueFacts([]), notifications: [], unreadableStorages: [] });
    const text = await registry.metrics();
    expect(text).toContain('vya_backup_cleanup_deleted{storage="local"} 3');
    expect(text).toContain(`vya_backup_cleanup_freed_bytes{storage="local"} ${3 * 1024 * 1024}`);
    expect(text).toContain('vya_backup_cleanup_errors{storage="s3-offsite"} 1');
    expect(text).toContain('vya_backup_cleanup_kept{storage="s3-offsite"} 12');
    expect(text).not.toContain('storage="sftp"');
  });
});
