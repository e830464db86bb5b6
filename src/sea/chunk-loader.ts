import { dirname } from "node:path";
import { Script } from "node:vm";
import type { ChunkFunction } from "./chunk-format.js";

export type Require = (specifier: string) => unknown;

/** A chunk's wrapped source (chunk-format.ts) and, when there is one, its V8 code cache. */
export type ReadChunk = (name: string) => { source: string; cachedData?: Uint8Array };

/**
 * CommonJS for the single executable's chunks: `./name` is a chunk, compiled once when first
 * required; anything else goes to `builtin` (a SEA's require knows only Node's built-in modules).
 * `trace` hears each chunk loaded and whether V8 took its code cache.
 */
export function chunkLoader(read: ReadChunk, builtin: Require, trace?: (line: string) => void): Require {
  const modules = new Map<string, { exports: unknown }>();
  const filename = process.execPath;
  const dir = dirname(filename);
  const load: Require = (specifier) => {
    if (!specifier.startsWith("./")) return builtin(specifier);
    const name = specifier.slice(2);
    const known = modules.get(name);
    if (known) return known.exports;
    const { source, cachedData } = read(name);
    const script = new Script(source, { filename: name, cachedData });
    trace?.(`sea: ${name} (code cache ${cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "accepted"})\n`);
    const module = { exports: {} as unknown };
    // Registered before it runs, as CommonJS does: esbuild's chunks import each other without cycles.
    modules.set(name, module);
    (script.runInThisContext() as ChunkFunction)(module.exports, load, module, filename, dir);
    return module.exports;
  };
  return load;
}
