import { z } from "zod";

/**
 * The `notifications:` and `metrics:` blocks (issue 11). Kept apart from schema.ts so the
 * notification and metrics settings stay together; schema.ts only mounts them.
 */

export const NOTIFY_EVENTS = ["failure", "warning", "success", "recovery", "start"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const on = z
  .array(z.enum(NOTIFY_EVENTS))
  .default(["failure", "recovery"])
  .describe("Which runs this channel reports: failure, warning, success, recovery (the first good run after a failed one), start.");

const channelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a channel name may hold only letters, digits, \".\", \"_\" and \"-\"");

export const emailSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional().describe("Default 465 with tls: implicit, else 587."),
    tls: z
      .enum(["starttls", "implicit", "none"])
      .default("starttls")
      .describe("starttls: upgrade a plain connection (required, refused if the server cannot); implicit: TLS from the first byte (port 465); none: plain text, loopback relays only."),
    ca_file: z.string().optional().describe("PEM file of the CA that signed the SMTP server's certificate (the system CAs otherwise). Certificates are always verified."),
    user: z.string().optional(),
    password: z.string().optional(),
    from: z.string().min(1),
    to: z.array(z.string().min(1)).min(1),
    cc: z.array(z.string().min(1)).default([]),
    on,
    attach_log_max_bytes: z.number().int().min(0).default(1_048_576).describe("On failure the run's log is attached, gzipped; its newest bytes up to this size (0: no attachment)."),
  })
  .strict();

export const webhookSchema = z
  .object({
    name: channelName.optional().describe('For `notify test --channel`; default "webhook-<n>".'),
    url: z.string().url(),
    format: z.enum(["json", "slack"]).default("json").describe("json: the run report (docs/monitoring.md); slack: a Slack-compatible incoming-webhook message."),
    on,
  })
  .strict();

export const heartbeatSchema = z
  .object({
    url: z.string().url().describe("Healthchecks-style check URL: <url>/start when a run begins, <url> on success, <url>/fail on failure."),
    exit_code_path: z.boolean().default(false).describe("End with <url>/<exit code> instead of <url> or <url>/fail."),
  })
  .strict();

export const notificationsSchema = z
  .object({
    timeout_seconds: z.number().positive().max(300).default(10).describe("Bound on each attempt of each channel; a notifier never delays a run by more than twice this."),
    retries: z.number().int().min(0).max(3).default(1),
    email: emailSchema.optional(),
    webhooks: z.array(webhookSchema).default([]),
    heartbeat: heartbeatSchema.optional(),
  })
  .strict();

export const metricsSchema = z
  .object({
    pushgateway: z
      .object({
        url: z.string().url(),
        job: z.string().min(1).default("vya-backupdb"),
        username: z.string().optional(),
        password: z.string().optional(),
        bearer_token: z.string().optional(),
        timeout_seconds: z.number().positive().max(300).default(10),
      })
      .strict()
      .optional(),
    textfile: z.string().min(1).optional().describe("A .prom file for node_exporter's textfile collector, replaced atomically after each run."),
  })
  .strict();

export type Notifications = z.infer<typeof notificationsSchema>;
export type EmailChannel = z.infer<typeof emailSchema>;
export type WebhookChannel = z.infer<typeof webhookSchema>;
export type HeartbeatChannel = z.infer<typeof heartbeatSchema>;
export type MetricsConfig = z.infer<typeof metricsSchema>;
