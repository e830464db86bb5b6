import type { EmailChannel } from "../config/monitoring-schema.js";
import { authHeaders, type PushgatewayConfig } from "../metrics/pushgateway.js";
import { smtpPort, smtpTransport } from "../notify/email.js";
import { describeError } from "../util/errors.js";
import { fail, ok, type CheckContext, type CheckResult } from "./result.js";

/** SMTP and Pushgateway: the places a run reports to, reachable (and accepting our login) now. */
export async function checkMonitoring(ctx: CheckContext): Promise<CheckResult[]> {
  const email = ctx.config.notifications?.email;
  const gateway = ctx.config.metrics?.pushgateway;
  const timeoutMs = (ctx.config.notifications?.timeout_seconds ?? 10) * 1000;
  return Promise.all([...(email ? [checkSmtp(email, timeoutMs)] : []), ...(gateway ? [checkPushgateway(gateway)] : [])]);
}

/** Connect, EHLO, STARTTLS (certificate verified) and AUTH, as a notice would, without sending anything. */
export async function checkSmtp(config: EmailChannel, timeoutMs: number): Promise<CheckResult> {
  const target = `email ${config.host}:${smtpPort(config)}`;
  let transport: ReturnType<typeof smtpTransport> | undefined;
  try {
    transport = smtpTransport(config, timeoutMs);
    await transport.verify();
  } catch (err) {
    return fail("smtp reachable", target, describeError(err), smtpFix(err));
  } finally {
    transport?.close();
  }
  const tls = { starttls: "STARTTLS with a verified certificate", implicit: "TLS with a verified certificate", none: "plain text (tls: none)" }[config.tls];
  return ok("smtp reachable", target, `connected, ${tls}, ${config.user ? `AUTH accepted for ${config.user}` : "no AUTH configured"}`);
}

/** nodemailer's error codes, and the TLS errors inside them, to the key to change. */
function smtpFix(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const text = `${e.code ?? ""} ${e.message ?? ""}`;
  if (e.code === "EAUTH") return "check notifications.email.user and password (a credential file: its content, no trailing blank)";
  if (/certificate|self[- ]signed|CERT_|unable to verify/i.test(text)) return "set notifications.email.ca_file to the CA that signed the server's certificate (or use the name the certificate is issued for as host)";
  if (e.code === "ETLS" || /STARTTLS/i.test(text)) return "the server offers no STARTTLS here: use tls: implicit (port 465), or a relay that offers it";
  if (e.code === "ENOENT" || /ca_file/.test(text)) return "check notifications.email.ca_file";
  return "check notifications.email.host and port (and that a firewall lets this host through)";
}

/** GET <url>/-/ready with the push's credentials: the Pushgateway's own readiness answer. */
export async function checkPushgateway(config: PushgatewayConfig): Promise<CheckResult> {
  const target = new URL(config.url).host;
  const url = `${config.url.replace(/\/+$/, "")}/-/ready`;
  let response: Response;
  try {
    response = await fetch(url, { headers: authHeaders(config), signal: AbortSignal.timeout(config.timeout_seconds * 1000) });
    await response.arrayBuffer().catch(() => undefined);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === "TimeoutError" ? `no answer within ${config.timeout_seconds} s` : (e.cause?.code ?? describeError(err));
    return fail("pushgateway reachable", target, reason, "start the Pushgateway or correct metrics.pushgateway.url (its base URL, e.g. http://prometheus:9091)");
  }
  if (response.ok) return ok("pushgateway reachable", target, `/-/ready answered ${response.status}`);
  const fix = response.status === 401 || response.status === 403 ? "check metrics.pushgateway.username and password, or bearer_token" : "metrics.pushgateway.url must be the Pushgateway's base URL (it answers /-/ready)";
  return fail("pushgateway reachable", target, `/-/ready answered HTTP ${response.status}`, fix);
}
