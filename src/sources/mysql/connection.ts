import type { MysqlInstance } from "../../config/schema.js";
import { withMysqlDefaultsFile } from "../../util/credentials.js";
import type { MysqlFlavour } from "./version.js";

/** How to reach an instance; user and password travel in the --defaults-extra-file only. */
export type MysqlTarget = Pick<MysqlInstance, "host" | "port" | "socket" | "user" | "password" | "ssl" | "ssl_ca">;

/** TLS flags: MariaDB's client and Oracle's spell them differently. */
export function mysqlSslArgs(target: Pick<MysqlTarget, "ssl" | "ssl_ca">, flavour: MysqlFlavour): string[] {
  const ca = target.ssl_ca ? [`--ssl-ca=${target.ssl_ca}`] : [];
  if (flavour === "mysql") {
    switch (target.ssl) {
      case "disable":
        return ["--ssl-mode=DISABLED"];
      case "require":
        return ["--ssl-mode=REQUIRED", ...ca];
      case "verify-full":
        return ["--ssl-mode=VERIFY_IDENTITY", ...ca];
      default:
        return ca;
    }
  }
  switch (target.ssl) {
    case "disable":
      return ["--skip-ssl"];
    case "require":
      return ["--ssl", "--skip-ssl-verify-server-cert", ...ca];
    case "verify-full":
      return ["--ssl", "--ssl-verify-server-cert", ...ca];
    default:
      return ca;
  }
}

/**
 * Arguments that connect a mysql/mariadb client (dump or shell) to `target`. The defaults file
 * must come first: the clients only honour --defaults-extra-file as their first argument.
 */
export function mysqlConnectionArgs(defaultsFile: string, target: MysqlTarget, flavour: MysqlFlavour): string[] {
  const where = target.socket ? [`--socket=${target.socket}`] : [`--host=${target.host}`, `--port=${target.port}`, "--protocol=TCP"];
  return [`--defaults-extra-file=${defaultsFile}`, ...where, ...mysqlSslArgs(target, flavour)];
}

/**
 * Runs `fn` with the leading arguments that connect a client of `flavour` to `target`; the
 * temporary 0600 option file behind them is removed afterwards, on failure too.
 */
export async function withMysqlConnection<T>(target: MysqlTarget, flavour: MysqlFlavour, fn: (connectionArgs: string[]) => Promise<T>, dir?: string): Promise<T> {
  return withMysqlDefaultsFile(target.user, target.password, (file) => fn(mysqlConnectionArgs(file, target, flavour)), dir);
}
