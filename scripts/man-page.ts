/**
 * Writes the vya-backupdb(1) man page (groff) to stdout, generated from the commander help of the
 * executable named by the first argument, so the page always matches the binary it ships with.
 * Usage: tsx scripts/man-page.ts dist-bin/vya-backupdb > vya-backupdb.1
 */
import { execFileSync } from "node:child_process";

const exe = process.argv[2];
if (!exe) {
  process.stderr.write("usage: tsx scripts/man-page.ts EXECUTABLE\n");
  process.exit(2);
}

const help = (args: string[]): string => execFileSync(exe, [...args, "--help"], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", COLUMNS: "80" } });

/** The command names a help text lists under "Commands:" (aliases and "help" left out). */
function commandsOf(text: string): string[] {
  const section = text.split(/^Commands:\n/m)[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1] as string).filter((name) => name !== "help");
}

/** Text safe inside groff: backslashes, leading dots/quotes and minus signs escaped. */
const roff = (text: string): string =>
  text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/^([.'])/gm, "\\&$1");

const block = (text: string): string => `.nf\n${roff(text.trimEnd())}\n.fi\n`;

const top = help([]);
const version = execFileSync(exe, ["--version"], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } }).trim();
const [usage, ...rest] = top.split("\n\n");
const description = rest[0] ?? "";
const out: string[] = [
  `.TH VYA\\-BACKUPDB 1 "" "vya\\-backupdb ${roff(version)}" "User Commands"`,
  ".SH NAME",
  "vya\\-backupdb \\- back up MySQL/MariaDB, PostgreSQL and file trees into verified archives",
  ".SH SYNOPSIS",
  block((usage ?? "").replace(/^Usage: /, "")),
  ".SH DESCRIPTION",
  roff(description.replace(/\n/g, " ")),
  ".SH GLOBAL OPTIONS AND COMMANDS",
  block(rest.slice(1).join("\n\n")),
  ".SH COMMANDS",
];
for (const name of commandsOf(top)) {
  const text = help([name]);
  out.push(`.SS ${name}`, block(text));
  for (const sub of commandsOf(text)) out.push(`.SS ${name} ${sub}`, block(help([name, sub])));
}
out.push(
  ".SH EXIT STATUS",
  ".TP\n0\neverything asked for succeeded",
  ".TP\n1\nthe run happened and something failed (a dump, an upload, a verify)",
  ".TP\n2\nusage or config error: nothing was attempted",
  ".TP\n3\nanother run holds the lock",
  ".TP\n130, 143\ninterrupted by SIGINT or SIGTERM: children stopped, partial files removed",
  ".SH FILES",
  ".TP\n/etc/vya\\-backupdb/config.yaml\nthe config file used when \\fB\\-\\-config\\fR is not given and none is found in the working directory",
  ".TP\n/usr/share/doc/vya\\-backupdb/examples/\nexample configs",
  ".TP\n/usr/share/vya\\-backupdb/vya\\-backupdb.schema.json\nthe JSON Schema of the config file, for editors",
  ".SH SEE ALSO",
  "\\fBsystemctl\\fR(1), \\fBsystemd.timer\\fR(5); /usr/share/doc/vya\\-backupdb/README.md",
);
process.stdout.write(`${out.join("\n")}\n`);
