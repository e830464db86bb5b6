import { dirname } from "node:path";
import { listCatalog } from "../catalog/list.js";
import { LocalStorage } from "../storage/local.js";
import type { AgeKeys } from "../crypto/streams.js";
import { OperationError } from "../util/errors.js";
import { prepareResolved, type PreparedArchive } from "./prepare.js";

/**
 * The globals archive written by the same run as a database archive: in the instance's
 * folder, `_globals/`, same run id. Checked against its sidecar like any archive.
 */
export async function findRunGlobals(archive: PreparedArchive, scratchDir?: string, signal?: AbortSignal, keys?: AgeKeys): Promise<PreparedArchive> {
  const sidecar = archive.sidecar;
  // A path given on the command line: its storage is the archive's folder; the instance folder is one up.
  const given = archive.storage;
  const byPath = given instanceof LocalStorage && given.name === "file";
  const storage = given instanceof LocalStorage && byPath ? new LocalStorage(dirname(given.root), "file") : given;
  const prefix = byPath ? "" : `${archive.key.split("/").slice(0, 2).join("/")}/`;
  const found = (await listCatalog(storage, prefix)).find(
    (e) => e.sidecar?.kind === "globals" && e.sidecar.run_id === sidecar.run_id && e.sidecar.instance.id === sidecar.instance.id,
  );
  if (!found) {
    throw new OperationError(`--globals: no globals archive from the same run (${sidecar.run_id}) of ${sidecar.instance.name} next to ${archive.name} (the instance may have globals: false); nothing was changed`);
  }
  return prepareResolved({ storage, key: found.key, name: found.name }, { scratchDir, signal, keys });
}
