/**
 * How the single executable stores its code (scripts/build-sea-bundle.ts writes it, loader.ts reads
 * it): one SEA asset per chunk of the split bundle, a CommonJS body wrapped as a function
 * expression, and beside it the chunk's V8 code cache under the same key plus CACHE_SUFFIX.
 * The wrapper is part of the stored text, so the code cache made at build time matches byte for byte.
 */
export const ENTRY_CHUNK = "cli.js";
export const CACHE_SUFFIX = ".cache";
export const CHUNK_WRAPPER_HEAD = "(function (exports, require, module, __filename, __dirname) {";
export const CHUNK_WRAPPER_TAIL = "\n})";

export type ChunkFunction = (
  exports: unknown,
  require: (specifier: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/** The commands' lines of the top-level help (src/cli/command-summaries.ts), stored at build time. */
export const COMMAND_SUMMARIES_ASSET = "command-summaries.json";
