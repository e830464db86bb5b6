import { describe, expect, it } from "vitest";
import { groupingSegment, pushUrl } from "../../src/metrics/pushgateway.js";
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
