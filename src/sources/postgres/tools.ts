import { constants } from "node:fs";
import { access, readdir, realpath, stat } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { OperationError } from "../../util/errors.js";
import { probeVersion } from "../../util/tool-version.js";
import { parseToolVersion, type PgVersion } from "./version.js";

export type PgToolName = "pg_dump" | "pg_dumpall" | "pg_restore" | "psql" | "pg_basebackup";

export interface PgTool {
  name: PgToolName;
  file: string;
  version: PgVersion;
}

export interface PgToolSearch {
  /** `pg_dump_path` from the config: a directory holding the tools, or the pg_dump file itself. */
  explicit?: string | undefined;
  /** PATH to search (default: ours). */
  pathEnv?: string | undefined;
  /** Where Debian/Ubuntu install versioned binaries (default /usr/lib/postgresql). */
  libRoot?: string | undefined;
  signal?: AbortSignal | undefined;
  /** The server's version text, for the error when every tool found is too old. */
  serverVersion?: string | undefined;
}

export const PG_LIB_ROOT = "/usr/lib/postgresql";

/** Where to look for `name`, best first: the explicit path alone, else PATH then <libRoot>/<major>/bin (newest first). */
export async function toolCandidates(name: PgToolName, search: PgToolSearch): Promise<string[]> {
  if (search.explicit) {
    const explicit = search.explicit;
    const isDir = await stat(explicit).then((s) => s.isDirectory(), () => false);
    // pg_dump_path may name the pg_dump file; its siblings are the other tools.
    if (isDir) return [join(explicit, name)];
    return [name === "pg_dump" ? explicit : join(dirname(explicit), name)];
  }
  const fromPath = (search.pathEnv ?? process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  const root = search.libRoot ?? PG_LIB_ROOT;
  const majors = await readdir(root).then(
    (entries) => entries.filter((e) => /^\d+(\.\d+)?$/.test(e)).sort((a, b) => Number(b) - Number(a)),
    () => [] as string[],
  );
  return [...fromPath, ...majors.map((m) => join(root, m, "bin", name))];
}

/** Runs `<file> --version`; null when it is not a PostgreSQL tool we can read. */
export async function probeTool(name: PgToolName, file: string, signal?: AbortSignal): Promise<PgTool | null> {
  const version = await probeVersion(file, parseToolVersion, signal);
  return version ? { name, file: await pastDebianWrapper(name, file, version.major), version } : null;
}

/**
 * Debian's /usr/bin/psql, pg_dump … are links to pg_wrapper, a Perl script that picks and execs
 * /usr/lib/postgresql/<major>/bin/<tool>. Once the version is known, that binary is called
 * directly: the same program, without a Perl start per call (a backup runs psql half a dozen
 * times before pg_dump starts; 0.05–0.15 s each, measured).
 */
async function pastDebianWrapper(name: PgToolName, file: string, major: number): Promise<string> {
  const target = await realpath(file).catch(() => file);
  if (!target.endsWith("/postgresql-common/pg_wrapper") || major < 10) return file;
  const direct = join(PG_LIB_ROOT, String(major), "bin", name);
  return access(direct, constants.X_OK).then(
    () => direct,
    () => file,
  );
}

/**
 * The first `name` whose major is at least `minMajor` (null: any). None = an error naming
 * what was found, what is needed and what to install.
 */
export async function findPostgresTool(name: PgToolName, minMajor: number | null, search: PgToolSearch = {}): Promise<PgTool> {
  const seen = new Set<string>();
  const tooOld: PgTool[] = [];
  for (const file of await toolCandidates(name, search)) {
    if (seen.has(file)) continue;
    seen.add(file);
    const tool = await probeTool(name, file, search.signal);
    if (!tool) continue;
    if (minMajor === null || tool.version.major >= minMajor) return tool;
    tooOld.push(tool);
  }
  const pkg = `postgresql-client-${minMajor ?? 15}`;
  const where = search.explicit ? `at ${search.explicit} (pg_dump_path)` : `on PATH or in ${search.libRoot ?? PG_LIB_ROOT}/*/bin`;
  if (tooOld.length > 0) {
    const found = tooOld.map((t) => `${t.version.text} (${t.file})`).join(", ");
    throw new OperationError(
      `${name} ${found} is older than the server (PostgreSQL ${search.serverVersion ?? minMajor}): ${name} ${minMajor} or newer is needed; install ${pkg} (or newer)${search.explicit ? " or correct pg_dump_path" : " or set pg_dump_path"}`,
    );
  }
  throw new OperationError(`${name} not found ${where}: install ${pkg}${search.explicit ? " or correct pg_dump_path" : " or set pg_dump_path to where it is"}`);
}

/** A companion of an already chosen tool (psql, pg_dumpall …): from the same directory when there. */
export async function findCompanionTool(name: PgToolName, primary: PgTool, search: PgToolSearch = {}): Promise<PgTool> {
  const sibling = await probeTool(name, join(dirname(primary.file), name), search.signal);
  if (sibling && sibling.version.major >= primary.version.major) return sibling;
  return findPostgresTool(name, primary.version.major, { ...search, explicit: undefined });
}
