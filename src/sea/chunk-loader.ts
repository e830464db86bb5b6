import { dirname } from "node:path";
import { Script } from "node:vm";
import type { ChunkFunction } from "./chunk-format.js";

export type Require = (specifier: string) => unknown;

/** A chunk's wrapped source (chunk-format.ts) and, when there is one, its V8 code cache. */
export type ReadChunk = (name: string) => { source: string; cachedData?: Uint8Array };

/**
 * Built-in modules loaded only when first used. child_process alone pulls in net, stream and dgram,
 * and commander requires it at start for external subcommands, which this CLI has none of: `--version`
 * would pay for it every time. Its exports are a plain object, so a proxy can stand in for it.
 */
const DEFERRED_BUILTINS = new Set(["child_process", "node:child_process"]);

function deferred(load: () => object): object {
  let real: object | undefined;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(target(), key),
      has: (_, key) => Reflect.has(target(), key),
      ownKeys: () => Reflect.ownKeys(target()),
      // Configurable, as a proxy over an empty object must report its properties.
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

/**
 * CommonJS for the single executable's chunks: `./name` is a chunk, compiled once when first
 * required; anything else goes to `builtin` (a SEA's require knows only Node's built-in modules).
 * `trace` hears each chunk loaded and whether V8 took its code cache; `compiled` collects the
 * scripts (the build makes their code caches after running them).
 */
export function chunkLoader(read: ReadChunk, builtin: Require, trace?: (line: string) => void, compiled?: Map<string, Script>): Require {
  const modules = new Map<string, { exports: unknown }>();
  const filename = process.execPath;
  const dir = dirname(filename);
  const load: Require = (specifier) => {
    if (DEFERRED_BUILTINS.has(specifier)) return deferred(() => builtin(specifier) as object);
    if (!specifier.startsWith("./")) return builtin(specifier);
    const name = specifier.slice(2);
    const known = modules.get(name);
    if (known) return known.exports;
    const { source, cachedData } = read(name);
    const script = new Script(source, { filename: name, cachedData });
    compiled?.set(name, script);
    trace?.(`sea: ${name} (code cache ${cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "accepted"})\n`);
    const module = { exports: {} as unknown };
    // Registered before it runs, as CommonJS does: esbuild's chunks import each other without cycles.
    modules.set(name, module);
    (script.runInThisContext() as ChunkFunction)(module.exports, load, module, filename, dir);
    return module.exports;
  };
  return load;
}
