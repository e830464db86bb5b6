import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { startDaemon, stopDaemon, waitUntilReady } from "./server-process.js";
import { freePort } from "./ports.js";
import type { TestCerts } from "./tls.js";

export interface ReceivedMail {
  raw: Buffer;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

/** A real SMTP server on loopback: STARTTLS with the throwaway CA's certificate, AUTH required (PLAIN/LOGIN). */
export async function startSmtp(certs: TestCerts, login: { user: string; pass: string }): Promise<{ port: number; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    key: readFileSync(certs.key),
    cert: readFileSync(certs.cert),
    authMethods: ["PLAIN", "LOGIN"],
    // Refuse AUTH before STARTTLS: the client must upgrade.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === login.user && auth.password === login.pass) callback(null, { user: auth.username });
      else callback(new Error("535 authentication failed"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
            mails.push({ raw, parsed, envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) } });
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** An HTTP receiver for webhooks and heartbeat pings: records every request in order, answers `status`. */
export async function startHttpReceiver(status = 200): Promise<{ port: number; requests: ReceivedRequest[]; close: () => Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status, { "content-type": "text/plain" }).end("OK");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Debian prometheus-pushgateway on a free port, persisting to a file in `dir` (so a restart keeps what was pushed). */
export async function startPushgateway(dir: string, port?: number): Promise<{ port: number; url: string; stop: () => Promise<void> }> {
  const listen = port ?? (await freePort());
  const logFile = join(dir, "pushgateway.log");
  const child: ChildProcess = startDaemon("/usr/bin/prometheus-pushgateway", [`--web.listen-address=127.0.0.1:${listen}`, `--persistence.file=${join(dir, "pushgateway.persist")}`, "--persistence.interval=1s"], { logFile });
  const url = `http://127.0.0.1:${listen}`;
  await waitUntilReady("pushgateway", child, logFile, async () => {
    try {
      return (await fetch(`${url}/-/ready`)).ok;
    } catch {
      return false;
    }
  });
  return { port: listen, url, stop: () => stopDaemon(child) };
}

/** Scrapes the gateway's /metrics and returns the samples of `name` with their labels. */
export async function scrape(url: string, name: string): Promise<{ labels: Record<string, string>; value: number }[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, "$1");
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}
