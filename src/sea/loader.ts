/**
 * The single executable's main script. The CLI's code is stored as chunks (SEA assets, see
 * chunk-format.ts); this compiles one only when something requires it, with the V8 code cache made
 * at build time, so `--version` and `config validate` never compile or run the S3 SDK, ssh2,
 * nodemailer or the archive writers (start-up time matters for a tool cron runs every few minutes).
 * Anything else is required from Node's built-in modules (the only ones a SEA's require knows).
 * VYA_BACKUPDB_SEA_TRACE=1 names each chunk on stderr as it is loaded, and whether V8 took its cache.
 */
import { getAsset, getRawAsset } from "node:sea";
import { dirname } from "node:path";
import { Script } from "node:vm";
import { CACHE_SUFFIX, ENTRY_CHUNK, type ChunkFunction } from "./chunk-format.js";

type Require = (specifier: string) => unknown;

function chunkLoader(builtin: Require, trace: boolean): Require {
  const modules = new Map<string, { exports: unknown }>();
  const filename = process.execPath;
  const dir = dirname(filename);
  const load: Require = (specifier) => {
    if (!specifier.startsWith("./")) return builtin(specifier);
    const name = specifier.slice(2);
    const known = modules.get(name);
    if (known) return known.exports;
    // The raw asset is the executable's own mapped bytes: the cache is read without a copy.
    const cachedData = new Uint8Array(getRawAsset(name + CACHE_SUFFIX) as ArrayBuffer);
    const script = new Script(getAsset(name, "utf8"), { filename: name, cachedData });
    if (trace) process.stderr.write(`sea: ${name} (code cache ${script.cachedDataRejected ? "rejected" : "accepted"})\n`);
    const module = { exports: {} as unknown };
    // Registered before it runs, as CommonJS does: esbuild's chunks import each other without cycles.
    modules.set(name, module);
    (script.runInThisContext() as ChunkFunction)(module.exports, load, module, filename, dir);
    return module.exports;
  };
  return load;
}

chunkLoader(require, process.env.VYA_BACKUPDB_SEA_TRACE === "1")(`./${ENTRY_CHUNK}`);
