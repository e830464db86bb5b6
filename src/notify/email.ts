import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import nodemailer from "nodemailer";
import type { EmailChannel } from "../config/monitoring-schema.js";
import { OperationError, describeError } from "../util/errors.js";
import type { Redactor } from "../util/redact.js";
import type { Channel, Notice } from "./notice.js";
import { wants } from "./outcome.js";
import { renderHtml, renderText } from "./render.js";

/** A composed message, before the transport: what tests and the SMTP send share. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

/** How many log lines a failure e-mail shows inline (the whole log is attached). */
const INLINE_LOG_LINES = 30;

export function composeEmail(notice: Notice, config: Pick<EmailChannel, "attach_log_max_bytes">, redactor: Redactor): EmailMessage {
  const failed = notice.type === "end" && notice.run.outcome === "failure";
  const logTail = failed ? notice.logTail.slice(-INLINE_LOG_LINES) : [];
  const subject = redactor.redact(notice.subject);
  const attachments: EmailMessage["attachments"] = [];
  if (failed && config.attach_log_max_bytes > 0 && notice.logTail.length > 0) {
    // The newest bytes are the ones that explain the failure.
    const log = Buffer.from(redactor.redact(`${notice.run.logLines.join("\n")}\n`));
    const capped = log.length > config.attach_log_max_bytes ? log.subarray(log.length - config.attach_log_max_bytes) : log;
    attachments.push({ filename: `vya-backupdb-${notice.server}-${notice.run.report.run_id}.log.gz`, content: gzipSync(capped), contentType: "application/gzip" });
  }
  return {
    subject,
    text: redactor.redact(renderText(notice.sections, logTail)),
    html: redactor.redact(renderHtml(subject, notice.sections, logTail)),
    attachments,
  };
}

/** The SMTP port a config means: the given one, else 465 for implicit TLS and 587 otherwise. */
export const smtpPort = (config: EmailChannel): number => config.port ?? (config.tls === "implicit" ? 465 : 587);

/** The nodemailer transport of a config, shared by sending and `check` (verify): same TLS, AUTH and timeouts. */
export function smtpTransport(config: EmailChannel, timeoutMs: number) {
  let ca: Buffer | undefined;
  if (config.ca_file) {
    try {
      ca = readFileSync(config.ca_file);
    } catch (err) {
      throw new OperationError(`cannot read notifications.email.ca_file: ${describeError(err)}`, { cause: err });
    }
  }
  return nodemailer.createTransport({
    host: config.host,
    port: smtpPort(config),
    secure: config.tls === "implicit",
    requireTLS: config.tls === "starttls",
    ignoreTLS: config.tls === "none",
    ...(config.user ? { auth: { user: config.user, pass: config.password ?? "" } } : {}),
    tls: { rejectUnauthorized: true, ...(ca ? { ca } : {}) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

export function emailChannel(config: EmailChannel, redactor: Redactor): Channel {
  const port = smtpPort(config);
  return {
    name: "email",
    kind: "email",
    target: `${config.host}:${port}`,
    due: (notice) => notice.type === "test" || (notice.type === "start" ? config.on.includes("start") : wants(config.on, notice.events)),
    send: async (notice, timeoutMs) => {
      const message = composeEmail(notice, config, redactor);
      const transport = smtpTransport(config, timeoutMs);
      const domain = config.from.replace(/^.*@/, "").replace(/[>\s].*$/, "") || "localhost";
      try {
        await transport.sendMail({
          from: config.from,
          to: config.to,
          ...(config.cc.length > 0 ? { cc: config.cc } : {}),
          subject: message.subject,
          text: message.text,
          html: message.html,
          attachments: message.attachments,
          date: new Date(),
          messageId: `<${notice.runUuid}.${randomBytes(4).toString("hex")}@${domain}>`,
          headers: { "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All" },
        });
      } catch (err) {
        // nodemailer's messages name the server and the SMTP reply, never the password.
        throw new OperationError(`SMTP ${config.host}:${port}: ${redactor.redact(describeError(err))}`, { cause: err });
      } finally {
        transport.close();
      }
    },
  };
}
