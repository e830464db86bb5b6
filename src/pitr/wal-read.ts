import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { AgeKeys } from "../crypto/streams.js";
import type { Storage } from "../storage/storage.js";
import { OperationError } from "../util/errors.js";
import { markedObjectKey, type WalMarker } from "./wal-store.js";

/**
 * An archived WAL file's original bytes, as a stream: the object its marker vouches for,
 * decrypted when the marker says it is (age, with the keys of the config or --identity),
 * then gunzipped. The age code is loaded only for an encrypted object: wal-fetch runs once per
 * segment during recovery and stays light otherwise.
 */
export async function openWalContent(storage: Storage, prefix: string, marker: WalMarker, keys: AgeKeys | undefined): Promise<Readable[]> {
  const object = await storage.get(markedObjectKey(prefix, marker));
  if (!marker.stored.encryption) return [object, createGunzip()];
  if (!keys || keys.identities.length + keys.passphrases.length === 0) {
    object.destroy();
    throw new OperationError(`${marker.name} is archived encrypted (age): give the identity in the config (encryption.identity) so wal-fetch can decrypt it`);
  }
  const { createDecryptStream } = await import("../crypto/streams.js");
  return [object, createDecryptStream(keys), createGunzip()];
}
