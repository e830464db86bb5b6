/**
 * S3 multipart sizing. S3 allows at most 10,000 parts of 5 MiB to 5 GiB each; memory held by an
 * upload is about queueSize × partSize, so the part size grows with the archive only as much as
 * the part limit requires, and the queue shrinks when parts get big.
 */
export const MiB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;
/** Parts kept below the hard limit so a size estimate that is slightly off still fits. */
const TARGET_PARTS = 9_000;
// The smallest part S3 allows: measured, larger parts bought no throughput and cost resident memory.
export const DEFAULT_PART_SIZE = MIN_PART_SIZE;
/** Bytes of parts in flight for one upload. */
const MEMORY_BUDGET = 64 * MiB;
const MAX_QUEUE = 4;
const UNKNOWN_SIZE = 200 * 1024 * MiB;

export interface PartPlan {
  partSize: number;
  queueSize: number;
}

/**
 * The part size for an archive of `size` bytes. Archives are uploaded from files, so the size is
 * known; for a stream of unknown size, 200 GiB is assumed (about 23 MiB parts) rather than the
 * 5 TiB maximum, whose 600 MiB parts would break the memory bound. `preferred` (≥ 5 MiB) replaces
 * the default smallest part.
 */
export function planParts(size: number | undefined, preferred = DEFAULT_PART_SIZE): PartPlan {
  const floor = Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, Math.floor(preferred)));
  const total = size ?? UNKNOWN_SIZE;
  const needed = Math.ceil(total / TARGET_PARTS / MiB) * MiB;
  const partSize = Math.min(MAX_PART_SIZE, Math.max(floor, needed));
  const queueSize = Math.max(1, Math.min(MAX_QUEUE, Math.floor(MEMORY_BUDGET / partSize)));
  return { partSize, queueSize };
}
