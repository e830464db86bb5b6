/**
 * The files tree the files benchmarks archive: three quarters compressible log-like text, one
 * quarter random bytes, in 4 MiB files over 350 directories (as scripts/bench-files.sh makes it).
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const line = (n: number) => `2026-01-01T00:00:${String(n % 60).padStart(2, "0")}Z INFO request id=${n} user=${n % 977} path=/api/v1/items/${n % 10007} status=200\n`;

export async function generateTree(root: string, mib: number): Promise<void> {
  let written = 0;
  for (let i = 0; written < mib * 1024 * 1024; i++) {
    const dir = join(root, `d${i % 50}`, `s${i % 7}`);
    await mkdir(dir, { recursive: true });
    let buf: Buffer;
    if (i % 4 === 0) buf = randomBytes(4 * 1024 * 1024);
    else {
      const parts: string[] = [];
      for (let k = 0; k < 40000; k++) parts.push(line(i * 40000 + k));
      buf = Buffer.from(parts.join(""));
    }
    await writeFile(join(dir, `f${i}.dat`), buf);
    written += buf.length;
  }
}

// Run directly (bench-files.sh): npx tsx scripts/bench-tree.ts ROOT MIB
if (process.argv[1] === fileURLToPath(import.meta.url)) await generateTree(process.argv[2] as string, Number(process.argv[3]));
