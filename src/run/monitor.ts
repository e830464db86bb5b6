import { randomUUID } from "node:crypto";
import type { Config } from "../config/schema.js";
import { publishMetrics, type MetricsOutcome } from "../metrics/publish.js";
import { channelsOf } from "../notify/channels.js";
import { deliver } from "../notify/deliver.js";
import type { NotificationOutcome } from "../notify/notice.js";
import { classifyRun, isRecovery, nextLastRun, runEvents, type FinishedRun } from "../notify/outcome.js";
import { messageSections, renderSubject } from "../notify/render.js";
import { readLastRun, writeLastRun, type LastRun } from "../state/last-run.js";
import type { LogCapture } from "../util/log-capture.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";
import { TOOL_NAME } from "../version.js";
import type { RunReport } from "./report.js";

/**
 * What happens around a backup run besides the backup: a start notice (heartbeat /start), and at
 * the end the last-run state, notifications and metrics. None of it changes the exit code.
 */
export interface MonitorContext {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  logCapture?: LogCapture;
}

export interface RunStart {
  runUuid: string;
  startedAt: Date;
  notifications: NotificationOutcome[];
}

export interface RunFinish {
  notifications: NotificationOutcome[];
  metrics: MetricsOutcome[];
}

const deliveryOptions = (ctx: MonitorContext) => ({
  timeoutMs: (ctx.config.notifications?.timeout_seconds ?? 10) * 1000,
  retries: ctx.config.notifications?.retries ?? 1,
  logger: ctx.logger,
  redactor: ctx.redactor,
});

export async function monitorStart(ctx: MonitorContext): Promise<RunStart> {
  const startedAt = new Date();
  const runUuid = randomUUID();
  const channels = channelsOf(ctx.config.notifications, ctx.redactor);
  if (channels.length === 0) return { runUuid, startedAt, notifications: [] };
  const server = ctx.config.server.name;
  const notifications = await deliver(
    channels,
    {
      type: "start",
      server,
      runUuid,
      startedAt: startedAt.toISOString(),
      subject: `[${TOOL_NAME}] STARTED ${server} backup`,
      sections: [{ title: "Run", lines: [`server: ${server}`, `started: ${startedAt.toISOString()}`] }],
    },
    deliveryOptions(ctx),
  );
  return { runUuid, startedAt, notifications };
}

export async function monitorFinish(report: RunReport, exitCode: number, start: RunStart, ctx: MonitorContext): Promise<RunFinish> {
  const stateDir = ctx.config.options.state_dir;
  const previous = await readPrevious(stateDir, report.server, ctx.logger);
  const outcome = classifyRun(report, exitCode);
  const run: FinishedRun = {
    command: "backup",
    report,
    exitCode,
    outcome,
    recovery: isRecovery(previous, report, outcome),
    logLines: ctx.logCapture?.readable() ?? [],
  };
  const channels = channelsOf(ctx.config.notifications, ctx.redactor);
  const ended = await deliver(
    channels,
    { type: "end", server: report.server, runUuid: start.runUuid, run, events: runEvents(run), logTail: run.logLines, subject: renderSubject(run), sections: messageSections(run, ctx.config.server.location) },
    deliveryOptions(ctx),
  );
  const notifications = [...start.notifications, ...ended];
  const failures = notifications.filter((n) => n.status === "failed").length;
  const written = await writeLastRun(stateDir, nextLastRun(previous, run, failures));
  // Optional state: without it only recovery notices are lost, never the backup.
  if (!written.ok) ctx.logger[written.missing ? "debug" : "warn"]({ state_dir: stateDir, problem: written.problem }, "last-run state not written (recovery will not be reported)");
  const metrics = await publishMetrics(run, notifications, ctx);
  return { notifications, metrics };
}

async function readPrevious(stateDir: string, server: string, logger: Logger): Promise<LastRun | undefined> {
  const read = await readLastRun(stateDir, server);
  if (read.ok) return read.state;
  if (read.reason === "missing") logger.debug({ problem: read.problem }, "no previous run recorded");
  else logger.warn({ problem: read.problem }, "the last-run state cannot be used (recovery will not be reported)");
  return undefined;
}
