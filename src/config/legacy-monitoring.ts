/**
 * The old tool's e-mail, Slack and Prometheus settings converted to `notifications:` and
 * `metrics:` (they used to be named and dropped). Keys the old tool spelled several ways are all
 * accepted; anything else is named in `unmapped`.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface MonitoringConversion {
  notifications?: Obj;
  metrics?: Obj;
  unmapped: string[];
}

const first = (block: Obj, keys: string[]): unknown => keys.map((k) => block[k]).find((v) => v !== undefined && v !== null && v !== "");
const list = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(/[,;]/).map((s) => s.trim()).filter(Boolean) : undefined;

const PROMETHEUS_KEYS = ["enabled", "pushgateway_url", "pushgateway", "url", "job_name", "job"];
const EMAIL_KEYS = {
  host: ["smtp_server", "smtp_host", "host", "server"],
  port: ["smtp_port", "port"],
  user: ["smtp_user", "smtp_username", "username", "user"],
  password: ["smtp_password", "password"],
  from: ["from_email", "from_address", "sender", "from"],
  to: ["to_emails", "recipients", "to_addresses", "to"],
  cc: ["cc_emails", "cc"],
};
const EMAIL_FLAGS = ["enabled", "use_tls", "use_ssl", "starttls", "send_on_success", "send_on_failure", "send_on_error", "attach_log"];
const SLACK_KEYS = ["enabled", "webhook_url", "url"];

export function convertMonitoring(raw: Obj): MonitoringConversion {
  const unmapped: string[] = [];
  const monitoring = isObj(raw.monitoring) ? raw.monitoring : {};
  const out: MonitoringConversion = { unmapped };

  const prometheus = [["monitoring.prometheus", monitoring.prometheus], ["prometheus_settings", raw.prometheus_settings]] as const;
  for (const [where, block] of prometheus) {
    if (!isObj(block)) continue;
    const url = first(block, ["pushgateway_url", "pushgateway", "url"]);
    if (block.enabled === false) unmapped.push(`${where} (enabled: false: not converted)`);
    else if (typeof url !== "string") unmapped.push(`${where} (no pushgateway_url: nothing to push to)`);
    else {
      const job = first(block, ["job_name", "job"]);
      out.metrics = { pushgateway: { url: /^https?:\/\//.test(url) ? url : `http://${url}`, ...(typeof job === "string" ? { job } : {}) } };
    }
    rest(block, where, PROMETHEUS_KEYS, unmapped);
  }

  const notifications: Obj = {};
  const email = isObj(raw.email_settings) ? raw.email_settings : isObj(monitoring.email) ? monitoring.email : undefined;
  const emailWhere = isObj(raw.email_settings) ? "email_settings" : "monitoring.email";
  if (email) {
    const host = first(email, EMAIL_KEYS.host);
    const from = first(email, EMAIL_KEYS.from);
    const to = list(first(email, EMAIL_KEYS.to));
    if (email.enabled === false) unmapped.push(`${emailWhere} (enabled: false: not converted)`);
    else if (typeof host !== "string" || typeof from !== "string" || !to || to.length === 0) unmapped.push(`${emailWhere} (needs an SMTP server, a sender and recipients: not converted)`);
    else {
      const port = Number(first(email, EMAIL_KEYS.port) ?? (email.use_ssl === true ? 465 : 587));
      const on = ["failure", "recovery"];
      if (email.send_on_failure === false || email.send_on_error === false) on.splice(0, 1);
      if (email.send_on_success === true) on.push("success", "warning");
      const user = first(email, EMAIL_KEYS.user);
      const password = first(email, EMAIL_KEYS.password);
      const cc = list(first(email, EMAIL_KEYS.cc));
      notifications.email = {
        host,
        port,
        // The old tool: use_ssl = TLS from the first byte; use_tls = STARTTLS; neither = plain.
        tls: email.use_ssl === true ? "implicit" : email.use_tls === false ? "none" : "starttls",
        ...(typeof user === "string" ? { user } : {}),
        ...(typeof password === "string" ? { password } : {}),
        from,
        to,
        ...(cc && cc.length > 0 ? { cc } : {}),
        on,
      };
    }
    const known = [...Object.values(EMAIL_KEYS).flat(), ...EMAIL_FLAGS, "slack_webhook", "slack_webhook_url"];
    rest(email, emailWhere, known, unmapped);
    const slackUrl = first(email, ["slack_webhook", "slack_webhook_url"]);
    if (typeof slackUrl === "string") notifications.webhooks = [{ name: "slack", url: slackUrl, format: "slack", on: ["failure", "recovery"] }];
  }
  const slack = isObj(monitoring.slack) ? monitoring.slack : isObj(raw.slack_settings) ? raw.slack_settings : undefined;
  if (slack) {
    const where = isObj(monitoring.slack) ? "monitoring.slack" : "slack_settings";
    const url = first(slack, ["webhook_url", "url"]);
    if (slack.enabled === false) unmapped.push(`${where} (enabled: false: not converted)`);
    else if (typeof url === "string") notifications.webhooks = [{ name: "slack", url, format: "slack", on: ["failure", "recovery"] }];
    else unmapped.push(`${where} (no webhook_url: not converted)`);
    rest(slack, where, SLACK_KEYS, unmapped);
  }
  for (const key of Object.keys(monitoring)) if (!["prometheus", "email", "slack"].includes(key)) unmapped.push(`monitoring.${key} (no equivalent)`);
  if (Object.keys(notifications).length > 0) out.notifications = notifications;
  return out;
}

function rest(block: Obj, where: string, handled: string[], unmapped: string[]): void {
  for (const key of Object.keys(block)) if (!handled.includes(key)) unmapped.push(`${where}.${key} (no equivalent)`);
}
