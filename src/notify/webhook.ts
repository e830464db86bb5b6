import type { WebhookChannel } from "../config/monitoring-schema.js";
import type { Redactor } from "../util/redact.js";
import type { Channel, Notice } from "./notice.js";
import { renderText } from "./render.js";
import { postJson, targetOf } from "./http.js";
import { wants } from "./outcome.js";

/** The generic JSON body's schema id; documented in docs/monitoring.md. */
export const WEBHOOK_SCHEMA = "vya-backupdb.notification/1";

/** The generic JSON body: the notice and, at a run's end, the whole run report. */
export function webhookJson(notice: Notice, redactor: Redactor): unknown {
  const base = { schema: WEBHOOK_SCHEMA, type: notice.type, server: notice.server, subject: notice.subject, run_uuid: notice.runUuid };
  if (notice.type !== "end") return redactor.redactValue({ ...base, text: renderText(notice.sections) });
  const { run } = notice;
  return redactor.redactValue({
    ...base,
    outcome: run.outcome,
    recovery: run.recovery,
    events: notice.events,
    exit_code: run.exitCode,
    command: run.command,
    report: run.report,
  });
}

/** Slack's incoming-webhook format (also understood by Mattermost and Rocket.Chat): text plus one attachment. */
export function slackJson(notice: Notice, redactor: Redactor): unknown {
  const color = notice.type !== "end" ? "#439FE0" : notice.run.outcome === "failure" ? "danger" : notice.run.outcome === "warning" ? "warning" : "good";
  const details = notice.sections.map((s) => `*${s.title}*\n${s.lines.join("\n")}`).join("\n\n");
  return { text: redactor.redact(notice.subject), attachments: [{ color, text: redactor.redact(details).slice(0, 7000), mrkdwn_in: ["text"] }] };
}

export function webhookChannel(config: WebhookChannel, index: number, redactor: Redactor): Channel {
  return {
    name: config.name ?? `webhook-${index + 1}`,
    kind: "webhook",
    target: targetOf(config.url),
    due: (notice) => notice.type === "test" || (notice.type === "start" ? config.on.includes("start") : wants(config.on, notice.events)),
    send: async (notice, timeoutMs) => {
      await postJson(config.url, config.format === "slack" ? slackJson(notice, redactor) : webhookJson(notice, redactor), timeoutMs);
    },
  };
}
