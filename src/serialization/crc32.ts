// SPDX-License-Identifier: BSD-3-Clause
// CRC-32 (IEEE) for zip records: Node's zlib.crc32 where it exists (Node >= 20.15), a table otherwise.
import * as zlib from "node:zlib";

const nativeCrc = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

let table: Uint32Array | null = null;
function tableCrc(data: Uint8Array, value: number): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of `data`, continuing from `value` (0 to start). */
export function crc32(data: Uint8Array, value = 0): number {
  return nativeCrc !== undefined ? nativeCrc(data, value) >>> 0 : tableCrc(data, value);
}

/** @internal the table implementation, exposed to test it against zlib's. */
export const crc32Table = (data: Uint8Array, value = 0): number => tableCrc(data, value);
