import type { HeartbeatChannel } from "../config/monitoring-schema.js";
import type { Redactor } from "../util/redact.js";
import { post, targetOf } from "./http.js";
import type { Channel, Notice } from "./notice.js";

/**
 * A Healthchecks-style dead-man's switch: `<url>/start` when a run begins, `<url>` (success) or
 * `<url>/fail` (or `<url>/<exit code>`) when it ends, both with `rid` so the service pairs them
 * and measures the run. A run that never ends, or never starts, is what the service alerts on.
 * A test message goes to `<url>/log`, which records it without changing the check's state.
 */
export function heartbeatUrl(base: string, notice: Notice, exitCodePath: boolean): string {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, "");
  let suffix = "";
  if (notice.type === "start") suffix = "/start";
  else if (notice.type === "test") suffix = "/log";
  else if (exitCodePath) suffix = `/${notice.run.exitCode}`;
  else if (notice.run.outcome === "failure") suffix = "/fail";
  url.pathname = `${path}${suffix}`;
  url.searchParams.set("rid", notice.runUuid);
  return url.toString();
}

export function heartbeatChannel(config: HeartbeatChannel, redactor: Redactor): Channel {
  return {
    name: "heartbeat",
    kind: "heartbeat",
    target: targetOf(config.url),
    // Every run pings: silence is the alarm.
    due: () => true,
    send: async (notice, timeoutMs) => {
      // The ping body is what Healthchecks shows next to the ping: the subject, nothing secret.
      await post(heartbeatUrl(config.url, notice, config.exit_code_path), redactor.redact(notice.subject), "text/plain; charset=utf-8", timeoutMs);
    },
  };
}
