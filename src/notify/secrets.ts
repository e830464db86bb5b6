import type { Notifications } from "../config/monitoring-schema.js";
import type { Redactor } from "../util/redact.js";

/**
 * Webhook and heartbeat URLs carry their token in the path or query (Slack, Healthchecks):
 * they are secrets even when written literally in the config, so the redactor learns them.
 */
export function registerChannelSecrets(notifications: Notifications | undefined, redactor: Redactor): void {
  const urls = [...(notifications?.webhooks ?? []).map((w) => w.url), ...(notifications?.heartbeat ? [notifications.heartbeat.url] : [])];
  for (const text of urls) {
    redactor.add(text);
    try {
      const url = new URL(text);
      const secretPart = `${url.pathname}${url.search}`;
      // A bare "/" or "/ping" is no token; a real one is long.
      if (secretPart.length >= 8) redactor.add(secretPart);
      if (url.password) redactor.add(url.password);
    } catch {
      /* validated as a URL by the schema */
    }
  }
}
