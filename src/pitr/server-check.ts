/**
 * For `check` (issue 12 hooks it in): whether a server's settings archive WAL through this tool
 * for `instance`. Pure: the caller reads the three settings (SHOW wal_level, archive_mode,
 * archive_command) and prints the problems, one line each.
 */
export interface ArchiveSettings {
  wal_level: string;
  archive_mode: string;
  archive_command: string;
}

export const ARCHIVE_SETTINGS_QUERY = "SELECT current_setting('wal_level'), current_setting('archive_mode'), current_setting('archive_command')";

export function archiveSettingsProblems(settings: ArchiveSettings, instance: { id: number; name: string }): string[] {
  const problems: string[] = [];
  if (settings.wal_level !== "replica" && settings.wal_level !== "logical") problems.push(`wal_level is ${settings.wal_level}: PITR needs replica (or logical); restart needed`);
  if (settings.archive_mode !== "on" && settings.archive_mode !== "always") problems.push(`archive_mode is ${settings.archive_mode}: set it to on (restart needed)`);
  const words = settings.archive_command.split(/\s+/).filter(Boolean);
  const callsUs = words.some((w) => /(^|\/)vya-backupdb$/.test(w.replace(/^['"]|['"]$/g, ""))) && words.includes("wal-push");
  if (!callsUs) problems.push(`archive_command ${JSON.stringify(settings.archive_command)} does not call vya-backupdb wal-push`);
  else {
    const at = words.indexOf("wal-push");
    if (words[at + 1] !== "%p" || words[at + 2] !== "%f") problems.push(`archive_command must pass "%p %f" right after wal-push`);
    const i = words.findIndex((w) => w === "-i" || w === "--instance");
    const given = i >= 0 ? words[i + 1]?.replace(/^['"]|['"]$/g, "") : undefined;
    if (given !== String(instance.id) && given !== instance.name) problems.push(`archive_command archives for instance ${given ?? "(none: -i missing)"}, not ${instance.id} (${instance.name})`);
  }
  return problems;
}
