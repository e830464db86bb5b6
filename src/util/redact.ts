/**
 * Removes literal secret values from any text before it leaves the process (logs, errors,
 * reports, sidecars). Config loading registers every secret it resolves.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined | null): void {
    // Very short values would blank out ordinary words; they are still kept off argv and logs
    // by construction, this is the last line of defence.
    if (value && value.length >= 3) this.secrets.add(value);
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join("***");
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join("***");
    }
    return out;
  }
}
