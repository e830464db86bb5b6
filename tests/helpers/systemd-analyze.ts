import { execa } from "execa";

/**
 * systemd's own judges of generated units, run offline (no systemd needed): `verify` must print
 * nothing and exit 0; `security --offline=true` gives the exposure score (0 best … 10 worst).
 * `verify` checks that ExecStart= exists, so units must name a real program.
 */
export async function verifyUnits(paths: string[]): Promise<{ exitCode: number; output: string }> {
  const result = await execa("systemd-analyze", ["verify", ...paths], { reject: false, all: true, env: { SYSTEMD_LOG_COLOR: "0" } });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? "" };
}

export async function securityScore(path: string): Promise<{ score: number; output: string }> {
  const result = await execa("systemd-analyze", ["security", "--offline=true", "--no-pager", path], { reject: false, all: true, env: { SYSTEMD_COLORS: "0" } });
  const output = result.all ?? "";
  const match = /Overall exposure level for \S+: ([\d.]+)/.exec(output);
  if (!match) throw new Error(`no exposure level in systemd-analyze security output:\n${output}`);
  return { score: Number(match[1]), output };
}
