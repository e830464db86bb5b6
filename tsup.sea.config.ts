import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

// The single executable's bundle (npm run build:binary): one CommonJS file with every npm package
// inlined, since a Node SEA runs one CommonJS script and cannot read node_modules. The command
// modules' dynamic import() calls become inlined requires. ssh2's optional native addons stay out:
// their require fails inside the SEA and ssh2 falls back to Node's own crypto.
export default defineConfig({
  entry: { "vya-backupdb": "src/cli/main.ts" },
  format: ["cjs"],
  platform: "node",
  target: "node24",
  outDir: "dist-bin/bundle",
  clean: true,
  splitting: false,
  sourcemap: false,
  // Half the bytes to deserialize at every start (measured: --version 160 ms CPU instead of 240 on
  // a loaded machine, bare node 120). keepNames: errors take their name from their class.
  minify: true,
  keepNames: true,
  // Every package inlined except cpu-features (ssh2's optional addon) and typescript, which
  // cosmiconfig loads only for a .ts config file (not one of the names this tool searches).
  noExternal: [/^(?!(typescript|cpu-features)$)/],
  external: ["typescript", "cpu-features"],
  metafile: true,
  define: { __VERSION__: JSON.stringify(pkg.version) },
});
