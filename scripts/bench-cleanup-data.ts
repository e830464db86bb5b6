/**
 * Lays out the cleanup benchmark's storage: `groups` databases × `days` daily backups (small
 * archives with valid sidecars, past timestamps) under <root>, with the test helper that writes them.
 * Usage: tsx scripts/bench-cleanup-data.ts <root> <groups> <days>
 */
import { dailyBackups, writeFakeBackups } from "../tests/helpers/fake-backups.js";

const [root, groups, days] = [process.argv[2], Number(process.argv[3] ?? 10), Number(process.argv[4] ?? 1000)];
if (!root) throw new Error("usage: tsx scripts/bench-cleanup-data.ts <root> <groups> <days>");
for (let g = 0; g < groups; g++) {
  const group = { instance: { id: 1, name: "pg-main", type: "postgres" as const }, kind: "database" as const, database: `db${g}` };
  await writeFakeBackups(root, dailyBackups(group, days));
}
