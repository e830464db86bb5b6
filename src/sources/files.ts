import { lstat, readlink } from "node:fs/promises";
import { join } from "node:path";
import { UnreadableEntryError, writeTarGz } from "../archive/tar-gz.js";
import { ZipWriter } from "../archive/zip.js";
import type { FilesInstance, Instance } from "../config/schema.js";
import { OperationError } from "../util/errors.js";
import { listMatchedPaths } from "./file-list.js";
import type { BackupUnit, ProduceContext, Source, UnitProduct } from "./source.js";

/** File trees selected by glob patterns: one archive per instance per run. */
export const filesSource: Source = {
  async plan(instance: Instance): Promise<BackupUnit[]> {
    if (instance.type !== "files") throw new Error(`files source given a ${instance.type} instance`);
    const paths = await listMatchedPaths(instance.paths, instance.exclude);
    if (paths.length === 0) {
      throw new OperationError(
        `no file matches paths ${JSON.stringify(instance.paths)}${instance.exclude.length ? ` (after exclude ${JSON.stringify(instance.exclude)})` : ""}: check the patterns; an empty archive would look like a good backup`,
      );
    }
    return [
      {
        instance,
        kind: "files",
        database: null,
        archiveFormat: instance.archive,
        compressionLevel: instance.compression_level,
        describe: `${paths.length} paths matching ${instance.paths.join(", ")}`,
        produce: (ctx) => produceFiles(instance, paths, ctx),
      },
    ];
  },
};

async function produceFiles(instance: FilesInstance, paths: string[], ctx: ProduceContext): Promise<UnitProduct> {
  const warnings: string[] = [];
  let contents;
  if (instance.archive === "tar.gz") {
    try {
      const result = await writeTarGz({
        root: "/",
        entries: paths,
        out: ctx.out,
        compression: { algorithm: "gzip", level: instance.compression_level },
        signal: ctx.signal,
        skipUnreadable: (path, code) => {
          if (instance.ignore_missing) warnings.push(`left out: /${path} (${code})`);
          return instance.ignore_missing;
        },
      });
      contents = result.contents;
    } catch (err) {
      if (err instanceof UnreadableEntryError) throw unreadable(err.path, err.code, err);
      throw err;
    }
  } else {
    contents = await writeZipOfFiles(instance, paths, ctx, warnings);
  }
  return { contents, dumpTool: null, dumpFormat: "files", serverVersion: null, warnings };
}

async function writeZipOfFiles(instance: FilesInstance, paths: string[], ctx: ProduceContext, warnings: string[]) {
  const zip = new ZipWriter(ctx.out, instance.compression_level);
  const onAbort = () => zip.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (const path of paths) {
      const abs = join("/", path);
      let stat;
      try {
        stat = await lstat(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        if (!instance.ignore_missing) throw unreadable(abs, code, err);
        warnings.push(`left out: ${abs} (${code})`);
        continue;
      }
      if (stat.isDirectory()) zip.addDirectory(path, stat);
      else if (stat.isSymbolicLink()) zip.addSymlink(path, await readlink(abs), stat);
      else if (stat.isFile()) zip.addFile(abs, path, stat);
      else warnings.push(`left out: ${abs} (not a regular file, directory or symlink)`);
    }
    await zip.finalize();
  } catch (err) {
    zip.abort();
    throw err;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
  return zip.contents;
}

function unreadable(path: string, code: string, cause: unknown): OperationError {
  return new OperationError(`could not read ${path} (${code}): the file vanished or is unreadable since it was listed (set ignore_missing: true to record this as a warning instead)`, { cause });
}
