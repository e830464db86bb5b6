/** Tables fit a 100-column terminal (and e-mails, and the journal viewer). */
export const TABLE_WIDTH = 100;

/**
 * A plain text table: columns padded to their widest cell, no borders (easy to grep). When a
 * row would pass `maxWidth`, its last column (the free text: error, source, note) wraps onto
 * continuation lines, at spaces where it can; the other columns are short by design.
 */
export function renderTable(header: string[], rows: string[][], maxWidth = TABLE_WIDTH): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const last = header.length - 1;
  const indent = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  const room = Math.max(20, maxWidth - indent);
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  const render = (cells: string[]) => {
    const [first, ...more] = wrapText(cells[last] ?? "", room);
    return [line([...cells.slice(0, last), first ?? ""]), ...more.map((m) => `${" ".repeat(indent)}${m}`)].join("\n");
  };
  return [line(header), ...rows.map(render)].join("\n");
}

/** `text` in lines of at most `width`, broken at spaces; a longer word is cut. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    let rest = word;
    while (rest.length > width) {
      if (current) lines.push(current);
      current = "";
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (!current) current = rest;
    else if (current.length + 1 + rest.length <= width) current += ` ${rest}`;
    else {
      lines.push(current);
      current = rest;
    }
  }
  lines.push(current);
  return lines;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
