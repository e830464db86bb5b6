import type { Notifications } from "../config/monitoring-schema.js";
import type { Redactor } from "../util/redact.js";
import { emailChannel } from "./email.js";
import { heartbeatChannel } from "./heartbeat.js";
import type { Channel } from "./notice.js";
import { webhookChannel } from "./webhook.js";

/** Every configured channel, in a fixed order: email, webhooks, heartbeat. */
export function channelsOf(notifications: Notifications | undefined, redactor: Redactor): Channel[] {
  if (!notifications) return [];
  const channels: Channel[] = [];
  if (notifications.email) channels.push(emailChannel(notifications.email, redactor));
  notifications.webhooks.forEach((w, i) => channels.push(webhookChannel(w, i, redactor)));
  if (notifications.heartbeat) channels.push(heartbeatChannel(notifications.heartbeat, redactor));
  return channels;
}
