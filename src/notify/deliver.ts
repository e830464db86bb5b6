import { describeError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";
import type { Channel, Notice, NotificationOutcome } from "./notice.js";

export interface DeliveryOptions {
  timeoutMs: number;
  retries: number;
  logger: Logger;
  redactor: Redactor;
}

/**
 * Sends `notice` on every channel due for it, in parallel. Never throws: each attempt is bounded
 * (a hung server cannot hold the run), a failed one is retried, and a channel that still fails is
 * logged and returned as failed for the report and the metrics. The exit code is not touched.
 */
export async function deliver(channels: Channel[], notice: Notice, options: DeliveryOptions): Promise<NotificationOutcome[]> {
  const due = channels.filter((c) => c.due(notice));
  return Promise.all(due.map((channel) => deliverOne(channel, notice, options)));
}

async function deliverOne(channel: Channel, notice: Notice, options: DeliveryOptions): Promise<NotificationOutcome> {
  const started = Date.now();
  let attempts = 0;
  let error = "";
  while (attempts <= options.retries) {
    attempts++;
    try {
      await withTimeout(channel.send(notice, options.timeoutMs), options.timeoutMs, `${channel.kind} ${channel.name}`);
      options.logger.debug({ channel: channel.name, target: channel.target, notice: notice.type, attempts }, "notification sent");
      return { channel: channel.name, kind: channel.kind, notice: notice.type, status: "sent", attempts, duration_ms: Date.now() - started };
    } catch (err) {
      error = options.redactor.redact(describeError(err));
      if (attempts <= options.retries) await new Promise((r) => setTimeout(r, Math.min(1000, options.timeoutMs / 4)));
    }
  }
  options.logger.warn({ channel: channel.name, target: channel.target, notice: notice.type, attempts, err: error }, "notification failed (the run's exit code is unchanged)");
  return { channel: channel.name, kind: channel.kind, notice: notice.type, status: "failed", attempts, duration_ms: Date.now() - started, error };
}

/** An outer bound for transports whose own timeouts do not cover every phase. */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    // Twice the per-phase timeout: the transports' own timeouts fire first with a better reason.
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${(2 * ms) / 1000} s`)), 2 * ms);
  });
  try {
    return await Promise.race([work, bound]);
  } finally {
    clearTimeout(timer);
  }
}
