import SftpClient from "ssh2-sftp-client";
import type { ConnectConfig, SFTPWrapper } from "ssh2";
import { checkHostKey, hostKeyAlgorithms, readKnownHosts, type HostKeyExpectation } from "./host-key.js";
import { PermanentError } from "./retry.js";

export interface SftpConnection {
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  privateKey?: Buffer | string | undefined;
  passphrase?: string | undefined;
  hostKey: HostKeyExpectation;
  /** Absolute directory on the server that keys are relative to. */
  root: string;
}

export interface SftpSession {
  client: SftpClient;
  /** The raw SFTP channel, for pipelined reads. */
  wrapper: SFTPWrapper;
}

/**
 * Opens one SSH connection with its SFTP channel. The host key is checked before any secret is
 * sent (host_key_sha256, else known_hosts); a refusal and an authentication failure are
 * permanent errors. `onGone` runs when the connection ends for any reason, once it was up.
 */
export async function connectSftp(name: string, conn: SftpConnection, onGone: (session: SftpSession) => void): Promise<SftpSession> {
  let refused: string | null = null;
  let session: SftpSession | undefined;
  const gone = () => session && onGone(session);
  const known = conn.hostKey.sha256 === undefined ? readKnownHosts(conn.hostKey) : [];
  const algorithms = hostKeyAlgorithms(known);
  // The library's default listeners print to stdout; ours only report the connection gone.
  const client = new SftpClient(name, { error: gone, end: gone, close: gone });
  const config: ConnectConfig = {
    host: conn.host,
    port: conn.port,
    username: conn.username,
    readyTimeout: 20_000,
    keepaliveInterval: 15_000,
    hostVerifier: (key: Buffer) => {
      refused = checkHostKey(key, conn.hostKey, known);
      return refused === null;
    },
    // Ask for a key type known_hosts lists, so a known host is not refused for offering another.
    ...(algorithms.length > 0 ? { algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] } } : {}),
    ...(conn.password !== undefined ? { password: conn.password } : {}),
    ...(conn.privateKey !== undefined ? { privateKey: conn.privateKey } : {}),
    ...(conn.passphrase !== undefined ? { passphrase: conn.passphrase } : {}),
  };
  let wrapper: SFTPWrapper;
  try {
    wrapper = await client.connect(config);
  } catch (err) {
    await client.end().catch(() => undefined);
    if (refused !== null) throw new PermanentError(refused);
    const message = err instanceof Error ? err.message : String(err);
    if (/authentication methods failed|privateKey|passphrase/i.test(message)) {
      throw new PermanentError(`authentication failed for ${conn.username}@${conn.host}: ${message}`, { cause: err });
    }
    throw err;
  }
  session = { client, wrapper };
  wrapper.once("close", gone);
  return session;
}
