import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Executables for PATH that stand in for a real tool: fault injection (a dump that dies
 * halfway, a warning with exit 0, a fake version) and argv recording. Bash, so tests read easily.
 */
export async function writeScript(dir: string, name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `#!/usr/bin/env bash\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/**
 * Records its argv (one JSON-ish line: NUL-free, arguments joined by \x1f) and the mode of any
 * credential file it was handed, then execs the real tool.
 */
export async function writeRecordingWrapper(dir: string, name: string, real: string, log: string): Promise<string> {
  return writeScript(
    dir,
    name,
    `{ printf '%s' ${JSON.stringify(name)}; for a in "$@"; do printf '\\x1f%s' "$a"; done; printf '\\n'; } >> ${JSON.stringify(log)}
first="$1"
case "$first" in --defaults-extra-file=*) printf 'credfile %s %s\\n' ${JSON.stringify(name)} "$(stat -c %a "\${first#--defaults-extra-file=}")" >> ${JSON.stringify(log)} ;; esac
if [ -n "\${PGPASSFILE:-}" ] && [ -f "$PGPASSFILE" ]; then printf 'credfile %s %s\\n' ${JSON.stringify(name)} "$(stat -c %a "$PGPASSFILE")" >> ${JSON.stringify(log)}; fi
env | grep -E '^(PGPASSWORD|MYSQL_PWD)=' >> ${JSON.stringify(log)} || true
exec ${JSON.stringify(real)} "$@"`,
  );
}

/** A fake client in <dir>/fake-bin that only prints `versionLine`, for version-refusal tests; returns that folder. */
export async function writeFakeVersionTool(dir: string, name: string, versionLine: string): Promise<string> {
  const fake = join(dir, "fake-bin");
  await mkdir(fake, { recursive: true });
  await writeScript(fake, name, `echo ${JSON.stringify(versionLine)}`);
  return fake;
}
