import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

export default defineConfig({
  define: { __VERSION__: JSON.stringify(pkg.version) },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts", "tests/helpers/setup-databases.ts"],
    // Generous: the CI machine has 2 cores and these tests spawn real servers and clients; a slow pass must not fail.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests spawn the CLI and real servers; two cores do not profit from more workers.
    maxWorkers: 2,
  },
});
