import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startS3, type S3Server } from "./s3.js";
import { startSshd, type SshServer } from "./sshd.js";
import { makeTempDir } from "./tmp.js";

/** What the remote-copy tests share: a scratch dir with an empty src/, both remote servers, and the secrets' env. */
export interface RemoteServers {
  dir: string;
  s3: S3Server;
  ssh: SshServer;
  /** The variables s3Remote()/sftpRemote() configs read their secrets from. */
  env: Record<string, string>;
  /** Stops both servers, then removes dir. */
  stop(): Promise<void>;
}

export async function startRemoteServers(prefix: string): Promise<RemoteServers> {
  const { dir, cleanup } = await makeTempDir(prefix);
  const started = await Promise.allSettled([startS3(), startSshd()]);
  const [s3, ssh] = started;
  if (s3.status === "rejected" || ssh.status === "rejected") {
    // Stop whichever did start, so a failed setup leaves no server behind.
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
    await cleanup();
    throw s3.status === "rejected" ? s3.reason : (ssh as PromiseRejectedResult).reason;
  }
  await mkdir(join(dir, "src"), { recursive: true });
  return {
    dir,
    s3: s3.value,
    ssh: ssh.value,
    env: { TEST_S3_SECRET: s3.value.secretAccessKey, TEST_SFTP_PASSPHRASE: ssh.value.passphrase },
    stop: async () => {
      await Promise.all([s3.value.stop(), ssh.value.stop()]);
      await cleanup();
    },
  };
}
