import { mkdir, symlink, utimes, writeFile, chmod } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A small tree with the awkward cases: dot-files, unicode names, modes, mtimes, symlinks, logs to exclude. */
export async function makeFilesTree(root: string): Promise<void> {
  const files: Record<string, string | Buffer> = {
    "app/config/app.yaml": "name: app\n",
    "app/config/db.json": '{"db": true}\n',
    "app/config/notes.txt": "not matched by the {yaml,json} pattern\n",
    "volumes/data/.hidden": "dot-file\n",
    "volumes/data/ünïcödé 名前.bin": Buffer.from([0, 1, 2, 255, 254, 10, 13]),
    "volumes/data/deep/er/file.dat": "x".repeat(300_000),
    "volumes/data/app.log": "excluded\n",
    "volumes/logs/other.log": "excluded too\n",
  };
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  await chmod(join(root, "app/config/app.yaml"), 0o640);
  await utimes(join(root, "app/config/db.json"), new Date("2020-02-03T04:05:06Z"), new Date("2020-02-03T04:05:06Z"));
  await symlink("../../app/config/app.yaml", join(root, "volumes/data/link-to-config"));
  await symlink("/etc/hostname", join(root, "volumes/data/abs-link"));
  await mkdir(join(root, "volumes/data/empty-dir"), { recursive: true });
}
