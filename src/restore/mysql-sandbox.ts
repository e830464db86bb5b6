import type { MysqlTool } from "../sources/mysql/tools.js";
import { OperationError } from "../util/errors.js";
import { runCommand } from "../util/process.js";

/**
 * The mysql/mariadb client reads a dump with its own commands switched off, so a forged archive
 * cannot run `system …` / `\!`, read a file with `source`, or write one with `tee`:
 * - MariaDB (10.5.25, 10.6.18, 10.11.8, 11.0.6, 11.1.5, 11.2.4, 11.4.2 and later): `--sandbox`;
 * - Oracle MySQL (8.0.43, 8.4.6, 9.4 and later): `--commands=OFF`.
 * Support is read from the client's own `--help`, not guessed from its version. `LOAD DATA LOCAL`
 * (the server reading a file of this machine through the client) is off as well, and `\e`
 * (which the sandbox leaves on) gets an editor that does nothing.
 */
export interface SandboxedClient {
  args: string[];
  env: Record<string, string>;
}

export async function sandboxedClient(client: MysqlTool, signal?: AbortSignal): Promise<SandboxedClient> {
  const help = await runCommand({ file: client.file, args: ["--no-defaults", "--help"] }, { signal, timeoutMs: 30_000 }).then(
    (r) => r.stdout,
    () => "",
  );
  const env = { EDITOR: "/bin/false", VISUAL: "/bin/false", PAGER: "cat" };
  const args = sandboxArgs(help);
  if (args) return { args: [...args, "--local-infile=0"], env };
  throw new OperationError(
    `${client.file} (${client.client.flavour} ${client.client.version}) cannot switch off its own commands (system, \\!, source, tee), so a dump holding them could run a shell command on this machine; ` +
      `restores need a client that can: MariaDB's with --sandbox (10.5.25, 10.6.18, 10.11.8, 11.4.2 or newer in its series; Debian: mariadb-client) or Oracle's with --commands=OFF (8.0.43, 8.4.6, 9.4 or newer); nothing was changed`,
  );
}

/** The flags that switch the client's commands off, from its --help; null when it has none. */
export function sandboxArgs(help: string): string[] | null {
  if (/^\s*--sandbox\b/m.test(help)) return ["--sandbox"];
  if (/^\s*--commands\b/m.test(help)) return ["--commands=OFF"];
  return null;
}
