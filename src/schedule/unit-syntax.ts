/**
 * Values written into systemd unit files: "%" starts a specifier and must be doubled; a value
 * with blanks or quotes is double-quoted with C escapes (systemd.syntax(7)), so a path with a
 * space stays one argument.
 */
export function unitWord(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`a unit file value cannot hold a line break: ${JSON.stringify(value)}`);
  const escaped = value.replace(/%/g, "%%");
  if (!/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A unit file from its sections, keys in the order given; undefined values are left out. */
export function renderUnit(sections: Array<[string, Array<[string, string | number | undefined] | string>]>): string {
  return sections
    .map(([name, lines]) => {
      const body = lines.flatMap((line) => (typeof line === "string" ? [`# ${line}`] : line[1] === undefined ? [] : [`${line[0]}=${line[1]}`]));
      return `[${name}]\n${body.join("\n")}\n`;
    })
    .join("\n");
}
