import { describe, expect, it } from "vitest";
import { DEFAULT_PART_SIZE, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE, MiB, planParts } from "../../src/storage/part-size.js";

describe("planParts", () => {
  it("uses the default part size and a queue of 4 for ordinary archives", () => {
    expect(planParts(100 * MiB)).toEqual({ partSize: DEFAULT_PART_SIZE, queueSize: 4 });
    expect(planParts(2 * 1024 * MiB)).toEqual({ partSize: DEFAULT_PART_SIZE, queueSize: 4 });
  });

  it.each([100 * 1024 * MiB, 1024 * 1024 * MiB, 5 * 1024 * 1024 * MiB - 1])("never needs more than 10,000 parts (%d bytes)", (size) => {
    const { partSize } = planParts(size);
    expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(MAX_PARTS);
    expect(partSize % MiB).toBe(0);
    expect(partSize).toBeLessThanOrEqual(MAX_PART_SIZE);
  });

  it("bounds memory (queueSize × partSize) to 64 MiB, or one part when parts are bigger", () => {
    for (const size of [MiB, 80 * 1024 * MiB, 300 * 1024 * MiB, 4 * 1024 * 1024 * MiB]) {
      const { partSize, queueSize } = planParts(size);
      expect(queueSize).toBeGreaterThanOrEqual(1);
      expect(queueSize === 1 || queueSize * partSize <= 64 * MiB).toBe(true);
    }
  });

  it("honours a preferred smallest part, but never below S3's 5 MiB minimum", () => {
    expect(planParts(12 * MiB, 5 * MiB).partSize).toBe(5 * MiB);
    expect(planParts(12 * MiB, 1024).partSize).toBe(MIN_PART_SIZE);
    expect(planParts(12 * MiB, 16 * MiB).partSize).toBe(16 * MiB);
  });

  it("assumes 200 GiB when the size is unknown", () => {
    const { partSize } = planParts(undefined);
    expect(Math.ceil((200 * 1024 * MiB) / partSize)).toBeLessThanOrEqual(MAX_PARTS);
  });
});
