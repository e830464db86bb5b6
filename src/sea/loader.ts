/**
 * The single executable's main script. The CLI's code is stored as chunks (SEA assets, see
 * chunk-format.ts); chunk-loader.ts compiles one only when something requires it, with the V8 code
 * cache made at build time, so `--version` and `config validate` never compile or run the S3 SDK,
 * ssh2, nodemailer or the archive writers (start-up time matters for a tool cron runs every few
 * minutes). VYA_BACKUPDB_SEA_TRACE=1 names each chunk on stderr as it is loaded, and whether V8 took
 * its cache (the build and the tests check that it does).
 */
import { getAsset, getRawAsset } from "node:sea";
import { CACHE_SUFFIX, ENTRY_CHUNK } from "./chunk-format.js";
import { chunkLoader } from "./chunk-loader.js";

const trace = process.env.VYA_BACKUPDB_SEA_TRACE === "1" ? (line: string) => process.stderr.write(line) : undefined;
// The raw asset is the executable's own mapped bytes: the cache is read without a copy.
const readAsset = (name: string) => ({
  source: getAsset(name, "utf8"),
  cachedData: new Uint8Array(getRawAsset(name + CACHE_SUFFIX) as ArrayBuffer),
});
chunkLoader(readAsset, require, trace)(`./${ENTRY_CHUNK}`);
