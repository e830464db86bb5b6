import { addDiskEntries, EntryReadError, type EntryProblem } from "../archive/disk-entries.js";
import type { EntryWriter } from "../archive/entry.js";
import { TarGzWriter } from "../archive/tar-gz.js";
import { ZipWriter } from "../archive/zip.js";
import { packingOf } from "../config/packing.js";
import type { FilesInstance, Instance } from "../config/schema.js";
import { OperationError } from "../util/errors.js";
import { listMatchedPaths } from "./file-list.js";
import type { BackupUnit, ProduceContext, Source, UnitProduct } from "./source.js";

/** File trees selected by glob patterns: one archive per instance per run. */
export const filesSource: Source = {
  async plan(instance: Instance): Promise<BackupUnit[]> {
    if (instance.type !== "files") throw new Error(`files source given a ${instance.type} instance`);
    const { paths, warnings } = await listMatchedPaths(instance.paths, instance.exclude, { ignoreUnreadable: instance.ignore_unreadable });
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
        packing: packingOf(instance),
        dumpExtension: null,
        describe: `${paths.length} paths matching ${instance.paths.join(", ")}`,
        produce: (ctx) => produceFiles(instance, paths, warnings, ctx),
      },
    ];
  },
};

/** Both formats go through addDiskEntries, so each odd case (vanished, unreadable, special, changing) behaves the same in zip and tar.gz. */
async function produceFiles(instance: FilesInstance, paths: string[], listingWarnings: string[], ctx: ProduceContext): Promise<UnitProduct> {
  const { format, compression } = packingOf(instance);
  const writer: EntryWriter = format === "zip" ? new ZipWriter(ctx.out, compression.level) : new TarGzWriter(ctx.out, compression, ctx.signal);
  const onAbort = () => writer.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const { warnings } = await addDiskEntries(writer, { root: "/", names: paths, skip: (problem) => instance[OPTION[problem]], signal: ctx.signal });
    await writer.finalize();
    return { contents: writer.contents, dumpTool: null, dumpFormat: "files", serverVersion: null, warnings: [...listingWarnings, ...warnings] };
  } catch (err) {
    writer.abort();
    if (err instanceof EntryReadError) throw unreadable(err);
    throw err;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
}

/** The option that governs each problem: the message names that one, never another. */
const OPTION = { missing: "ignore_missing", unreadable: "ignore_unreadable" } as const satisfies Record<EntryProblem, keyof FilesInstance>;

function unreadable(err: EntryReadError): OperationError {
  if (err.problem === null) return new OperationError(`could not read ${err.path} (${err.code})`, { cause: err });
  const why = err.problem === "missing" ? "the file vanished since it was listed" : "this user may not read it";
  return new OperationError(`could not read ${err.path} (${err.code}): ${why} (set ${OPTION[err.problem]}: true to leave such files out with a warning instead)`, { cause: err });
}
