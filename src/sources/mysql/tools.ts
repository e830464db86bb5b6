import { stat } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { OperationError } from "../../util/errors.js";
import { probeVersion } from "../../util/tool-version.js";
import { parseClientVersion, type MysqlClientVersion } from "./version.js";

export interface MysqlTool {
  /** "mariadb-dump", "mysqldump", "mariadb" or "mysql". */
  name: string;
  file: string;
  client: MysqlClientVersion;
}

export const DUMP_TOOL_NAMES = ["mariadb-dump", "mysqldump"] as const;
export const CLIENT_TOOL_NAMES = ["mariadb", "mysql"] as const;

export async function probeMysqlTool(name: string, file: string, signal?: AbortSignal): Promise<MysqlTool | null> {
  const client = await probeVersion(file, parseClientVersion, signal);
  return client ? { name, file, client } : null;
}

export interface MysqlToolSearch {
  /** `dump_path` from the config: the dump tool's file, or the directory holding the tools. */
  explicit?: string | undefined;
  pathEnv?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Files to try for one of `names`, best first: the explicit location, else every PATH entry. */
export async function mysqlCandidates(names: readonly string[], search: MysqlToolSearch, explicitIsThisTool: boolean): Promise<{ name: string; file: string }[]> {
  if (search.explicit) {
    const isDir = await stat(search.explicit).then((s) => s.isDirectory(), () => false);
    if (!isDir && explicitIsThisTool) return [{ name: names[0] ?? "", file: search.explicit }];
    const dir = isDir ? search.explicit : dirname(search.explicit);
    return names.map((name) => ({ name, file: join(dir, name) }));
  }
  const dirs = (search.pathEnv ?? process.env.PATH ?? "").split(delimiter).filter(Boolean);
  // mariadb-dump before mysqldump in each directory: on MariaDB systems mysqldump is a deprecated alias.
  return dirs.flatMap((dir) => names.map((name) => ({ name, file: join(dir, name) })));
}

async function findFirst(names: readonly string[], search: MysqlToolSearch, explicitIsThisTool: boolean, what: string): Promise<MysqlTool> {
  for (const candidate of await mysqlCandidates(names, search, explicitIsThisTool)) {
    const tool = await probeMysqlTool(candidate.name, candidate.file, search.signal);
    if (tool) return { ...tool, name: nameOf(tool, candidate.name) };
  }
  const where = search.explicit ? `at ${search.explicit} (dump_path)` : "on PATH";
  throw new OperationError(`${names.join(" or ")} not found ${where}: install the ${what} (Debian: mariadb-client, or mysql-client for Oracle MySQL)${search.explicit ? " or correct dump_path" : " or set dump_path"}`);
}

function nameOf(tool: MysqlTool, fallback: string): string {
  const base = tool.file.split("/").pop() ?? fallback;
  return base === "mysqldump" || base === "mariadb-dump" || base === "mysql" || base === "mariadb" ? base : fallback;
}

/** The dump client (mariadb-dump, else mysqldump) and its flavour, from `--version`. */
export async function findDumpTool(search: MysqlToolSearch = {}): Promise<MysqlTool> {
  return findFirst(DUMP_TOOL_NAMES, search, true, "MySQL/MariaDB client");
}

/** The command-line client (mariadb, else mysql): beside the dump tool when there, else on PATH. */
export async function findClientTool(search: MysqlToolSearch = {}, beside?: MysqlTool): Promise<MysqlTool> {
  if (beside) {
    for (const name of CLIENT_TOOL_NAMES) {
      const tool = await probeMysqlTool(name, join(dirname(beside.file), name), search.signal);
      if (tool) return tool;
    }
  }
  return findFirst(CLIENT_TOOL_NAMES, { ...search, explicit: undefined }, false, "MySQL/MariaDB client");
}
