/**
 * The records of a zip file (PKWARE APPNOTE 6.3), as pure encoders: local file header, data
 * descriptor, central directory header, and the end records with their ZIP64 forms. The writer
 * (zip.ts) streams entries, so file entries carry their CRC and sizes in a data descriptor after
 * the data (general purpose bit 3); the central directory repeats them for readers.
 */
export const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** Made by Unix (3), spec 6.3: readers take the mode from the high 16 bits of the external attributes. */
const MADE_BY = (3 << 8) | 63;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
const EXTRA_ZIP64 = 0x0001;
const EXTRA_TIME = 0x5455;

export interface ZipEntryRecord {
  name: string;
  method: 0 | 8;
  crc: number;
  size: number;
  compressedSize: number;
  /** Where its local header starts. */
  offset: number;
  mtime: Date;
  /** st_mode with the file type bits (S_IFREG, S_IFDIR, S_IFLNK). */
  unixMode: number;
  /** Sizes and CRC follow the data (the entry was streamed). */
  dataDescriptor: boolean;
  /** The local header has a ZIP64 extra field and the descriptor 8-byte sizes (size not known to stay below 4 GiB). */
  zip64Local: boolean;
}

function utf8Flag(name: string): number {
  // Bit 11 only for names beyond ASCII: plain names stay readable as they always were.
  return /^[\x20-\x7e]*$/.test(name) ? 0 : FLAG_UTF8;
}

/** DOS date and time (in UTC, as archiver wrote them and the reader reads them); 1980 is the earliest. */
export function dosDateTime(date: Date): { time: number; date: number } {
  const d = date.getUTCFullYear() < 1980 ? new Date(Date.UTC(1980, 0, 1)) : date;
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** Info-ZIP's extended timestamp (mtime in UTC seconds): unzip and yauzl prefer it to DOS time. */
function timeExtra(mtime: Date): Buffer {
  const seconds = Math.floor(mtime.getTime() / 1000);
  if (seconds < -(2 ** 31) || seconds >= 2 ** 31) return Buffer.alloc(0);
  const b = Buffer.alloc(9);
  b.writeUInt16LE(EXTRA_TIME, 0);
  b.writeUInt16LE(5, 2);
  b.writeUInt8(1, 4);
  b.writeInt32LE(seconds, 5);
  return b;
}

function zip64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(EXTRA_ZIP64, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

function flags(entry: ZipEntryRecord): number {
  return utf8Flag(entry.name) | (entry.dataDescriptor ? FLAG_DATA_DESCRIPTOR : 0);
}

export function localHeader(entry: ZipEntryRecord): Buffer {
  const name = Buffer.from(entry.name, "utf8");
  const { time, date } = dosDateTime(entry.mtime);
  // Streamed: CRC and sizes are zero here and follow the data; with ZIP64 the sizes point to the extra field (as Python's zipfile writes it).
  const deferred = entry.dataDescriptor;
  const extra = Buffer.concat([entry.zip64Local ? zip64Extra(deferred ? [0, 0] : [entry.size, entry.compressedSize]) : Buffer.alloc(0), timeExtra(entry.mtime)]);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(entry.zip64Local ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  h.writeUInt16LE(flags(entry), 6);
  h.writeUInt16LE(entry.method, 8);
  h.writeUInt16LE(time, 10);
  h.writeUInt16LE(date, 12);
  h.writeUInt32LE(deferred ? 0 : entry.crc >>> 0, 14);
  h.writeUInt32LE(entry.zip64Local ? MAX32 : deferred ? 0 : entry.compressedSize, 18);
  h.writeUInt32LE(entry.zip64Local ? MAX32 : deferred ? 0 : entry.size, 22);
  h.writeUInt16LE(name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, name, extra]);
}

export function dataDescriptor(entry: ZipEntryRecord): Buffer {
  if (!entry.zip64Local && (entry.size >= MAX32 || entry.compressedSize >= MAX32)) {
    throw new Error(`zip entry ${entry.name} passed 4 GiB without a ZIP64 local header`);
  }
  const b = Buffer.alloc(entry.zip64Local ? 24 : 16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(entry.crc >>> 0, 4);
  if (entry.zip64Local) {
    b.writeBigUInt64LE(BigInt(entry.compressedSize), 8);
    b.writeBigUInt64LE(BigInt(entry.size), 16);
  } else {
    b.writeUInt32LE(entry.compressedSize, 8);
    b.writeUInt32LE(entry.size, 12);
  }
  return b;
}

/** `force64`: every size and offset goes to the ZIP64 extra field (tests check the layout on small archives). */
export function centralHeader(entry: ZipEntryRecord, force64 = false): Buffer {
  const name = Buffer.from(entry.name, "utf8");
  const { time, date } = dosDateTime(entry.mtime);
  // The ZIP64 field holds, in this order, only the values whose 32-bit field says 0xFFFFFFFF.
  const big = (v: number) => force64 || v >= MAX32;
  const wide = [entry.size, entry.compressedSize, entry.offset].filter(big);
  const extra = Buffer.concat([wide.length > 0 ? zip64Extra(wide) : Buffer.alloc(0), timeExtra(entry.mtime)]);
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(MADE_BY, 4);
  h.writeUInt16LE(wide.length > 0 || entry.zip64Local ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
  h.writeUInt16LE(flags(entry), 8);
  h.writeUInt16LE(entry.method, 10);
  h.writeUInt16LE(time, 12);
  h.writeUInt16LE(date, 14);
  h.writeUInt32LE(entry.crc >>> 0, 16);
  h.writeUInt32LE(big(entry.compressedSize) ? MAX32 : entry.compressedSize, 20);
  h.writeUInt32LE(big(entry.size) ? MAX32 : entry.size, 24);
  h.writeUInt16LE(name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  // comment length, disk number start, internal attributes: 0
  const dosDirectory = (entry.unixMode & 0o170000) === 0o040000 ? 0x10 : 0;
  h.writeUInt32LE(((entry.unixMode & 0xffff) * 0x10000 + dosDirectory) >>> 0, 38);
  h.writeUInt32LE(big(entry.offset) ? MAX32 : entry.offset, 42);
  return Buffer.concat([h, name, extra]);
}

/** The end of central directory record, preceded by the ZIP64 record and locator when a count, size or offset needs them. */
export function endRecords(count: number, cdOffset: number, cdSize: number, force64 = false): Buffer {
  const zip64 = force64 || count >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
  const parts: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(MADE_BY, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    // this disk, the disk with the central directory: 0
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(cdSize), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const entries = zip64 && (force64 || count >= MAX16) ? MAX16 : count;
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(zip64 && (force64 || cdSize >= MAX32) ? MAX32 : cdSize, 12);
  end.writeUInt32LE(zip64 && (force64 || cdOffset >= MAX32) ? MAX32 : cdOffset, 16);
  parts.push(end);
  return Buffer.concat(parts);
}
