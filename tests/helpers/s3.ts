import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { makeTempDir } from "./tmp.js";

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<{ port: number; address: string }>;
  httpServer: import("node:http").Server;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
interface AccountModule {
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void };
}

export interface S3Server {
  endpoint: string;
  port: number;
  bucket: string;
  /** Where s3rver keeps its files (objects and in-progress multipart uploads). */
  dataDir: string;
  accessKeyId: string;
  /** "METHOD /path?query" of every request so far (s3rver does not implement AbortMultipartUpload, so tests check it was asked). */
  requests: string[];
  /** The same requests with their headers, for asserting what the client asked for. */
  requestHeaders: { line: string; headers: import("node:http").IncomingHttpHeaders }[];
  /** Cuts every open client connection (a network failure mid-transfer). Returns how many. */
  dropConnections(): number;
  /** Unique per server, so tests can search every output for it. */
  secretAccessKey: string;
  /** A client configured as s3rver needs (path style, checksums only when required). */
  client(): S3Client;
  stop(): Promise<void>;
}

/**
 * s3rver (from npm) on a free loopback port, its files under a fresh temporary directory, with
 * one bucket and a key pair whose secret is random. Runs in the test process; the CLI under test
 * talks to it over HTTP.
 */
export async function startS3(options: { bucket?: string } = {}): Promise<S3Server> {
  const S3rver = require("s3rver") as S3rverClass;
  const accounts = require("s3rver/lib/models/account.js") as AccountModule;
  const tmp = await makeTempDir("vya-s3rver-");
  const bucket = options.bucket ?? "vya-test";
  const accessKeyId = `VYATEST${randomBytes(4).toString("hex").toUpperCase()}`;
  const secretAccessKey = `s3secret-${randomBytes(12).toString("hex")}`;
  accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const dataDir = join(tmp.dir, "data");
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dataDir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const sockets = new Set<import("node:net").Socket>();
  server.httpServer.on("connection", (socket: import("node:net").Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const requests: string[] = [];
  const requestHeaders: S3Server["requestHeaders"] = [];
  server.httpServer.on("request", (req: import("node:http").IncomingMessage) => {
    requests.push(`${req.method} ${req.url}`);
    requestHeaders.push({ line: `${req.method} ${req.url}`, headers: req.headers });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    dataDir,
    accessKeyId,
    requests,
    requestHeaders,
    dropConnections: () => {
      const count = sockets.size;
      for (const socket of sockets) socket.destroy();
      return count;
    },
    secretAccessKey,
    client: () =>
      new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        credentials: { accessKeyId, secretAccessKey },
      }),
    stop: async () => {
      await server.close().catch(() => undefined);
      accounts.DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
      await tmp.cleanup();
    },
  };
}
