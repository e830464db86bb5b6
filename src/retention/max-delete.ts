/**
 * max_delete: a count, or a percentage of the group. Returns the refusal's text when `deleting`
 * of `total` backups is more than allowed, else null.
 */
export function maxDeleteProblem(maxDelete: number | string | undefined, deleting: number, total: number, where: string): string | null {
  if (maxDelete === undefined || deleting === 0) return null;
  const limit = typeof maxDelete === "number" ? maxDelete : Math.floor((Number(maxDelete.slice(0, -1)) / 100) * total);
  if (deleting <= limit) return null;
  return `max_delete ${maxDelete} refuses this cleanup: it would delete ${deleting} of the ${total} backups of ${where} (limit ${limit})`;
}
