import type { Registry } from "prom-client";
import type { MetricsConfig } from "../config/monitoring-schema.js";
import { OperationError } from "../util/errors.js";

export type PushgatewayConfig = NonNullable<MetricsConfig["pushgateway"]>;

/**
 * One grouping-key segment as the Pushgateway requires: a value holding "/" or empty is sent
 * base64url-encoded after `<label>@base64/` (empty as "="); anything else is percent-encoded.
 */
export function groupingSegment(label: string, value: string): string {
  if (value === "") return `${label}@base64/=`;
  if (value.includes("/")) return `${label}@base64/${Buffer.from(value).toString("base64url")}`;
  return `${label}/${encodeURIComponent(value)}`;
}

export function groupingPath(grouping: Record<string, string>): string {
  return Object.entries(grouping)
    .map(([label, value]) => groupingSegment(label, value))
    .join("/");
}

export function pushUrl(base: string, job: string, grouping: Record<string, string>): string {
  const root = base.replace(/\/+$/, "");
  return `${root}/metrics/${groupingSegment("job", job)}/${groupingPath(grouping)}`;
}

/** Basic or bearer authorization, as configured (shared by the push and `check`). */
export function authHeaders(config: PushgatewayConfig): Record<string, string> {
  if (config.username !== undefined) return { authorization: `Basic ${Buffer.from(`${config.username}:${config.password ?? ""}`).toString("base64")}` };
  if (config.bearer_token !== undefined) return { authorization: `Bearer ${config.bearer_token}` };
  return {};
}

/** PUT: the group's metrics are replaced by exactly these (which is why they derive from the catalogue). */
export async function pushMetrics(config: PushgatewayConfig, grouping: Record<string, string>, registry: Registry): Promise<void> {
  const url = pushUrl(config.url, config.job, grouping);
  const headers: Record<string, string> = { "content-type": registry.contentType, ...authHeaders(config) };
  const where = new URL(config.url).host;
  let response: Response;
  try {
    response = await fetch(url, { method: "PUT", body: await registry.metrics(), headers, signal: AbortSignal.timeout(config.timeout_seconds * 1000) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === "TimeoutError" ? `no answer within ${config.timeout_seconds} s` : (e.cause?.code ?? e.message);
    throw new OperationError(`pushing metrics to the Pushgateway ${where} failed: ${reason}`, { cause: err });
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) throw new OperationError(`the Pushgateway ${where} refused the metrics: HTTP ${response.status} ${text.slice(0, 300).trim()}`);
}
