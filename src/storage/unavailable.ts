import type { Readable } from "node:stream";
import type { Storage, StoredObject } from "./storage.js";

/**
 * Stands in for a remote that could not even be opened (e.g. an unreadable private key file), so
 * every unit reports that remote's failure like any other instead of the whole run stopping.
 */
export class UnavailableStorage implements Storage {
  constructor(
    readonly name: string,
    readonly kind: Storage["kind"],
    private readonly error: Error,
  ) {}

  private fail(): never {
    throw this.error;
  }
  async put(): Promise<void> {
    this.fail();
  }
  async get(): Promise<Readable> {
    this.fail();
  }
  async list(): Promise<StoredObject[]> {
    this.fail();
  }
  async stat(): Promise<StoredObject | null> {
    this.fail();
  }
  async delete(): Promise<void> {
    this.fail();
  }
  describe(key: string): string {
    return `${this.name}:${key}`;
  }
  async close(): Promise<void> {}
}
