import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs once per test run: builds the CLI so integration tests spawn the current code.
 * Real servers (PostgreSQL, MariaDB, sshd, S3, …) are started by their own setup files
 * listed in vitest.config.ts, each on a free loopback port under a temporary directory.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync("npx", ["tsup", "--silent"], { cwd: root, stdio: "inherit" });
}
