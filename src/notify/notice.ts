import type { NotifyEvent } from "../config/monitoring-schema.js";
import type { FinishedRun } from "./outcome.js";
import type { Section } from "./render.js";

/**
 * What a channel is asked to deliver: the start of a run, its end, or a test message. Subject and
 * sections are already rendered and redacted; each channel only formats them for its medium.
 */
interface NoticeBase {
  server: string;
  subject: string;
  sections: Section[];
  /** Correlates a run's start and end pings (Healthchecks' `rid`). */
  runUuid: string;
}

export type Notice =
  | (NoticeBase & { type: "start"; startedAt: string })
  | (NoticeBase & { type: "end"; run: FinishedRun; events: NotifyEvent[]; logTail: string[] })
  | (NoticeBase & { type: "test" });

/** One channel's delivery: each channel due is listed, sent or not. */
export interface NotificationOutcome {
  channel: string;
  kind: "email" | "webhook" | "heartbeat";
  notice: Notice["type"];
  status: "sent" | "failed";
  attempts: number;
  duration_ms: number;
  error?: string;
}

export interface Channel {
  name: string;
  kind: NotificationOutcome["kind"];
  /** Host (and port) only: URLs may carry tokens and never appear in a message or a log line. */
  target: string;
  due(notice: Notice): boolean;
  send(notice: Notice, timeoutMs: number): Promise<void>;
}
