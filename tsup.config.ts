import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

// One bundled entry (dist/cli.js) plus one lazily loaded chunk per command: start-up loads only what
// the command being run needs. npm dependencies stay external and load from node_modules.
export default defineConfig({
  entry: { cli: "src/cli/main.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  splitting: true,
  sourcemap: true,
  define: { __VERSION__: JSON.stringify(pkg.version) },
});
