// SPDX-License-Identifier: BSD-3-Clause
// The zip container of torch.save's format (reliability.md §1.1): a strict reader that accepts
// only STORED records under one prefix and never inflates anything, and a writer that aligns
// every record's data to 64 bytes the way PyTorchStreamWriter does (an "FB" extra field of 'Z's).
import { CheckpointError } from "./errors.js";
import { crc32 } from "./crc32.js";

const SIG_LOCAL = 0x04034b50, SIG_CENTRAL = 0x02014b50, SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50, SIG_LOCATOR64 = 0x07064b50;
export const MAX_ENTRIES = 100_000;
export const ALIGNMENT = 64;

export interface ZipEntry {
  name: string;
  /** Absolute offset of the record's data in the file. */
  dataOffset: number;
  size: number;
  crc: number;
}

export interface ZipArchive {
  /** The archive's prefix directory, without the trailing slash ("archive", "state_dict_module"). */
  prefix: string;
  entries: Map<string, ZipEntry>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function zipError(message: string, offset?: number, entry?: string): CheckpointError {
  return new CheckpointError("E_ZIP_STRUCTURE", message, { offset, entry });
}

function u16(b: Uint8Array, o: number): number { return b[o]! | (b[o + 1]! << 8); }
function u32(b: Uint8Array, o: number): number { return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0; }
function u64(b: Uint8Array, o: number, what: string): number {
  const lo = u32(b, o), hi = u32(b, o + 4);
  if (hi >= 0x200000) throw zipError(`${what} at offset ${o} is larger than 2^53`, o);
  return hi * 0x100000000 + lo;
}

/** Refuses names a zip-slip or a confused reader could misuse. */
export function checkEntryName(name: string, offset?: number): void {
  const bad =
    name.length === 0 || name.startsWith("/") || name.includes("\\") || name.includes("\0") ||
    /^[A-Za-z]:/.test(name) || name.split("/").some((seg) => seg === ".." || seg === ".") ||
    // eslint-disable-next-line no-control-regex
    /[\x00-\x1f]/.test(name);
  if (bad) throw new CheckpointError("E_ZIP_NAME", `zip entry '${name}' has an unsafe name (absolute, '..', '\\', drive letter or control character)`, { offset, entry: name });
}

function findEocd(b: Uint8Array): number {
  if (b.length < 22) throw zipError(`no end-of-central-directory record: file is truncated or not a checkpoint (${b.length} bytes)`);
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let o = b.length - 22; o >= stop; o--) {
    if (b[o] === 0x50 && b[o + 1] === 0x4b && b[o + 2] === 0x05 && b[o + 3] === 0x06 && o + 22 + u16(b, o + 20) === b.length) return o;
  }
  throw zipError("no end-of-central-directory record: file is truncated or not a checkpoint", b.length);
}

/** Parses and validates the whole container; record bytes are then views of `b`. */
export function readZip(b: Uint8Array): ZipArchive {
  const eocd = findEocd(b);
  if (u16(b, eocd + 4) !== 0 || u16(b, eocd + 6) !== 0) throw zipError("multi-disk zip archives are not supported", eocd);
  let count = u16(b, eocd + 10);
  let cdSize = u32(b, eocd + 12);
  let cdOffset = u32(b, eocd + 16);
  if (u16(b, eocd + 8) !== count) throw zipError("end-of-central-directory entry counts disagree", eocd);
  let cdLimit = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(b, loc) !== SIG_LOCATOR64) throw zipError("ZIP64 end-of-central-directory locator missing: file is truncated or corrupt", eocd);
    const rec = u64(b, loc + 8, "ZIP64 record offset");
    if (rec + 56 > loc || u32(b, rec) !== SIG_EOCD64) throw zipError(`ZIP64 end-of-central-directory record not found at offset ${rec}`, rec);
    count = u64(b, rec + 32, "ZIP64 entry count");
    if (u64(b, rec + 24, "ZIP64 entry count") !== count) throw zipError("ZIP64 entry counts disagree", rec);
    cdSize = u64(b, rec + 40, "ZIP64 central directory size");
    cdOffset = u64(b, rec + 48, "ZIP64 central directory offset");
    cdLimit = rec;
  }
  if (count > MAX_ENTRIES) throw new CheckpointError("E_LIMIT", `zip archive declares ${count} entries; at most ${MAX_ENTRIES} are accepted`, { offset: eocd });
  if (cdOffset + cdSize > cdLimit) throw zipError(`central directory (offset ${cdOffset}, ${cdSize} bytes) runs past the end-of-central-directory record at ${cdLimit}: file is truncated or corrupt`, cdOffset);

  const entries = new Map<string, ZipEntry>();
  const ranges: [number, number, string][] = [];
  let prefix: string | null = null;
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || u32(b, p) !== SIG_CENTRAL) throw zipError(`central directory entry ${i} at offset ${p} is malformed or truncated`, p);
    const flags = u16(b, p + 8), method = u16(b, p + 10), crc = u32(b, p + 16);
    let compSize = u32(b, p + 20), size = u32(b, p + 24);
    const nameLen = u16(b, p + 28), extraLen = u16(b, p + 30), commentLen = u16(b, p + 32);
    let disk = u16(b, p + 34);
    let localOffset = u32(b, p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) throw zipError(`central directory entry ${i} at offset ${p} runs past the central directory`, p);
    let name: string;
    try { name = utf8.decode(b.subarray(p + 46, p + 46 + nameLen)); } catch {
      throw new CheckpointError("E_ZIP_NAME", `zip entry name at offset ${p + 46} is not valid UTF-8`, { offset: p + 46 });
    }
    checkEntryName(name, p);
    // ZIP64 extended information
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = u16(b, e), len = u16(b, e + 2);
      if (e + 4 + len > p + 46 + nameLen + extraLen) throw zipError(`extra field of '${name}' is truncated`, e, name);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (what: string): number => {
          if (q + 8 > e + 4 + len) throw zipError(`ZIP64 extra field of '${name}' is too short`, e, name);
          const v = u64(b, q, what); q += 8; return v;
        };
        if (size === 0xffffffff) size = take("ZIP64 size");
        if (compSize === 0xffffffff) compSize = take("ZIP64 compressed size");
        if (localOffset === 0xffffffff) localOffset = take("ZIP64 offset");
        if (disk === 0xffff) { if (q + 4 > e + 4 + len) throw zipError(`ZIP64 extra field of '${name}' is too short`, e, name); disk = u32(b, q); q += 4; }
      }
      e += 4 + len;
    }
    if (disk !== 0) throw zipError(`zip entry '${name}' is on another disk`, p, name);
    if (flags & 1) throw zipError(`zip entry '${name}' is encrypted`, p, name);
    if (method !== 0) {
      const what = method === 8 ? "DEFLATE (method 8)" : `method ${method}`;
      throw zipError(`record ${name} uses ${what}; only STORED records are accepted`, p, name);
    }
    if (compSize !== size) throw zipError(`STORED record ${name} has compressed size ${compSize} != size ${size}`, p, name);
    const slash = name.indexOf("/");
    if (prefix === null) {
      if (slash <= 0) throw new CheckpointError("E_ZIP_NAME", `file in archive is not in a subdirectory: ${name}`, { offset: p, entry: name });
      prefix = name.slice(0, slash);
    } else if (!name.startsWith(prefix + "/")) {
      throw new CheckpointError("E_ZIP_NAME", `zip entry '${name}' is outside the archive prefix '${prefix}/'`, { offset: p, entry: name });
    }
    if (entries.has(name)) throw new CheckpointError("E_ZIP_NAME", `duplicate zip entry '${name}'`, { offset: p, entry: name });

    // the local header must agree with the central directory
    if (localOffset + 30 > cdOffset || u32(b, localOffset) !== SIG_LOCAL)
      throw zipError(`local header of '${name}' not found at offset ${localOffset}: file is truncated or corrupt`, localOffset, name);
    const lMethod = u16(b, localOffset + 8), lFlags = u16(b, localOffset + 6);
    const lComp = u32(b, localOffset + 18), lSize = u32(b, localOffset + 22);
    const lNameLen = u16(b, localOffset + 26), lExtraLen = u16(b, localOffset + 28);
    if (lMethod !== 0) throw zipError(`record ${name} uses method ${lMethod} in its local header; only STORED records are accepted`, localOffset, name);
    if (lNameLen !== nameLen || localOffset + 30 + lNameLen > cdOffset ||
        b.subarray(localOffset + 30, localOffset + 30 + lNameLen).some((c, k) => c !== b[p + 46 + k]))
      throw zipError(`local header name at offset ${localOffset} does not match central directory entry '${name}'`, localOffset, name);
    const sizesDeferred = (lFlags & 8) !== 0 && lComp === 0 && lSize === 0;
    if (!sizesDeferred && !(lComp === 0xffffffff && lSize === 0xffffffff) && (lComp !== compSize || lSize !== size))
      throw zipError(`local header of '${name}' declares ${lSize} bytes, central directory ${size}`, localOffset, name);
    const dataOffset = localOffset + 30 + lNameLen + lExtraLen;
    if (dataOffset + size > cdOffset)
      throw zipError(`record ${name} (offset ${dataOffset}, ${size} bytes) runs past the central directory: file is truncated or corrupt`, dataOffset, name);
    ranges.push([localOffset, dataOffset + size, name]);
    entries.set(name, { name, dataOffset, size, crc });
    p = next;
  }
  if (prefix === null) throw zipError("zip archive has no entries", eocd);
  ranges.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1])
      throw zipError(`zip records '${ranges[i - 1]![2]}' and '${ranges[i]![2]}' overlap`, ranges[i]![0], ranges[i]![2]);
  }
  return { prefix, entries };
}

/** The bytes of a record (a view of `b`), with its CRC-32 checked unless `verify` is false. */
export function recordBytes(b: Uint8Array, e: ZipEntry, verify = true): Uint8Array {
  const data = b.subarray(e.dataOffset, e.dataOffset + e.size);
  if (!verify) return data;
  const c = crc32(data);
  if (c !== e.crc) throw zipError(`CRC-32 mismatch in record ${e.name}: stored ${e.crc.toString(16)}, computed ${c.toString(16)}`, e.dataOffset, e.name);
  return data;
}

// ---- writer ---------------------------------------------------------------------------------------

/** Receives the archive's bytes in order. */
export type Sink = (chunk: Uint8Array) => void;

interface Written { name: Uint8Array; offset: number; size: number; crc: number }

/**
 * Writes a zip archive record by record, the way PyTorchStreamWriter lays it out: each record is
 * STORED, its data begins at a multiple of 64 (an "FB" extra field padded with 'Z'), and
 * ZIP64 fields appear only where an offset or count needs them.
 */
export class ZipWriter {
  private pos = 0;
  private written: Written[] = [];
  constructor(private readonly sink: Sink) {}

  private emit(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.sink(chunk);
    this.pos += chunk.length;
  }

  /** Adds a record; `parts` are its bytes in order (not concatenated, so large storages are never copied). */
  addRecord(name: string, parts: readonly Uint8Array[]): void {
    const nameBytes = new TextEncoder().encode(name);
    let size = 0, crc = 0;
    for (const part of parts) { size += part.length; crc = crc32(part, crc); }
    const zip64 = size >= 0xffffffff;
    const fixed = 30 + nameBytes.length + (zip64 ? 20 : 0) + 4; // +4: the FB extra header
    const pad = (ALIGNMENT - ((this.pos + fixed) % ALIGNMENT)) % ALIGNMENT;
    const header = new Uint8Array(fixed + pad);
    const dv = new DataView(header.buffer);
    dv.setUint32(0, SIG_LOCAL, true);
    dv.setUint16(4, zip64 ? 45 : 20, true);
    dv.setUint16(6, 0x0800, true); // UTF-8 names; sizes are in this header (no data descriptor)
    dv.setUint16(8, 0, true); // STORED
    dv.setUint16(10, 0, true); dv.setUint16(12, 0x21, true); // 1980-01-01 00:00, as miniz writes with no time
    dv.setUint32(14, crc, true);
    dv.setUint32(18, zip64 ? 0xffffffff : size, true);
    dv.setUint32(22, zip64 ? 0xffffffff : size, true);
    dv.setUint16(26, nameBytes.length, true);
    dv.setUint16(28, (zip64 ? 20 : 0) + 4 + pad, true);
    header.set(nameBytes, 30);
    let o = 30 + nameBytes.length;
    if (zip64) {
      dv.setUint16(o, 0x0001, true); dv.setUint16(o + 2, 16, true);
      dv.setBigUint64(o + 4, BigInt(size), true); dv.setBigUint64(o + 12, BigInt(size), true);
      o += 20;
    }
    dv.setUint16(o, 0x4246, true); // "FB"
    dv.setUint16(o + 2, pad, true);
    header.fill(0x5a, o + 4); // 'Z'
    this.written.push({ name: nameBytes, offset: this.pos, size, crc });
    this.emit(header);
    for (const part of parts) this.emit(part);
  }

  /** Writes the central directory and end records. */
  finish(): void {
    const cdOffset = this.pos;
    for (const w of this.written) {
      const needOffset = w.offset >= 0xffffffff, needSize = w.size >= 0xffffffff;
      const extra = (needSize ? 16 : 0) + (needOffset ? 8 : 0);
      const rec = new Uint8Array(46 + w.name.length + (extra ? 4 + extra : 0));
      const dv = new DataView(rec.buffer);
      dv.setUint32(0, SIG_CENTRAL, true);
      dv.setUint16(4, extra ? 45 : 20, true); dv.setUint16(6, extra ? 45 : 20, true);
      dv.setUint16(8, 0x0800, true); dv.setUint16(10, 0, true);
      dv.setUint16(12, 0, true); dv.setUint16(14, 0x21, true);
      dv.setUint32(16, w.crc, true);
      dv.setUint32(20, needSize ? 0xffffffff : w.size, true);
      dv.setUint32(24, needSize ? 0xffffffff : w.size, true);
      dv.setUint16(28, w.name.length, true);
      dv.setUint16(30, extra ? 4 + extra : 0, true);
      dv.setUint32(42, needOffset ? 0xffffffff : w.offset, true);
      rec.set(w.name, 46);
      if (extra) {
        let o = 46 + w.name.length;
        dv.setUint16(o, 0x0001, true); dv.setUint16(o + 2, extra, true); o += 4;
        if (needSize) { dv.setBigUint64(o, BigInt(w.size), true); dv.setBigUint64(o + 8, BigInt(w.size), true); o += 16; }
        if (needOffset) dv.setBigUint64(o, BigInt(w.offset), true);
      }
      this.emit(rec);
    }
    const cdSize = this.pos - cdOffset, n = this.written.length;
    if (cdOffset >= 0xffffffff || cdSize >= 0xffffffff || n >= 0xffff) {
      const rec64 = this.pos;
      const z = new Uint8Array(56 + 20);
      const dv = new DataView(z.buffer);
      dv.setUint32(0, SIG_EOCD64, true);
      dv.setBigUint64(4, 44n, true);
      dv.setUint16(12, 45, true); dv.setUint16(14, 45, true);
      dv.setBigUint64(24, BigInt(n), true); dv.setBigUint64(32, BigInt(n), true);
      dv.setBigUint64(40, BigInt(cdSize), true); dv.setBigUint64(48, BigInt(cdOffset), true);
      dv.setUint32(56, SIG_LOCATOR64, true);
      dv.setBigUint64(64, BigInt(rec64), true);
      dv.setUint32(72, 1, true);
      this.emit(z);
    }
    const e = new Uint8Array(22);
    const dv = new DataView(e.buffer);
    dv.setUint32(0, SIG_EOCD, true);
    dv.setUint16(8, Math.min(n, 0xffff), true); dv.setUint16(10, Math.min(n, 0xffff), true);
    dv.setUint32(12, Math.min(cdSize, 0xffffffff), true);
    dv.setUint32(16, Math.min(cdOffset, 0xffffffff), true);
    this.emit(e);
  }
}
