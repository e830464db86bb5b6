/**
 * "No such object", alike for every backend: code ENOENT as the local filesystem says it, so
 * readers (catalog/read.ts) need not know which backend they talk to.
 */
export function notFoundError(location: string, cause?: unknown): Error & { code: "ENOENT" } {
  return Object.assign(new Error(`${location} does not exist`, cause === undefined ? undefined : { cause }), { code: "ENOENT" as const });
}
