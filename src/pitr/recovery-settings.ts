/**
 * The recovery settings restore --until appends to postgresql.auto.conf (read last, so they win),
 * plus the recovery.signal file. Pure text builders.
 */

/** One word for sh, which runs restore_command: single-quoted, ' as '\''. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A postgresql.conf string value: single-quoted, ' doubled. */
export function confString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export interface RecoverySettings {
  /** The command that runs this tool: [executable, ...leading args]. */
  self: string[];
  configFile: string;
  instance: string;
  /** Already in PostgreSQL's form (target-time.ts pgTargetTime). */
  targetTime: string;
  action: "promote" | "pause" | "shutdown";
  /** An age identity file wal-fetch decrypts WAL with (restore --until --identity); the config's encryption.identity needs none. */
  identityFile?: string | undefined;
}

export function restoreCommand(settings: Pick<RecoverySettings, "self" | "configFile" | "instance" | "identityFile">): string {
  // %f and %p are PostgreSQL's placeholders, substituted before sh sees the line.
  const identity = settings.identityFile === undefined ? [] : ["--identity", settings.identityFile];
  return [...settings.self, "-c", settings.configFile, "--log-level", "warn", "wal-fetch", "%f", "%p", "-i", settings.instance, ...identity].map((w) => (w === "%f" || w === "%p" ? w : shellWord(w))).join(" ");
}

export function recoveryConf(settings: RecoverySettings, now = new Date()): string {
  return [
    "",
    `# Added by vya-backupdb restore --until on ${now.toISOString()}: point-in-time recovery (docs/pitr.md).`,
    `restore_command = ${confString(restoreCommand(settings))}`,
    `recovery_target_time = ${confString(settings.targetTime)}`,
    "recovery_target_inclusive = on",
    "recovery_target_timeline = 'latest'",
    `recovery_target_action = ${confString(settings.action)}`,
    "",
  ].join("\n");
}
