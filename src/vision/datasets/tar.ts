// SPDX-License-Identifier: BSD-3-Clause
// A small reader for (gzipped) tar archives, enough for the archives datasets ship in: ustar and
// GNU long names, regular files and directories. Paths that would leave the extraction folder
// (absolute, or with "..") are refused.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, isAbsolute } from "node:path";
import { gunzipSync } from "node:zlib";
import { RuntimeError } from "../../errors.js";

export interface TarEntry { name: string; type: "file" | "directory"; data: Uint8Array }

const str = (b: Uint8Array) => { const e = b.indexOf(0); return Buffer.from(e < 0 ? b : b.subarray(0, e)).toString("utf8"); };
const octal = (b: Uint8Array) => { const s = str(b).trim(); return s === "" ? 0 : parseInt(s, 8); };

export function readTar(archive: Uint8Array, name = "archive"): TarEntry[] {
  const buf = archive.length >= 2 && archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const out: TarEntry[] = [];
  let pos = 0, longName: string | null = null;
  while (pos + 512 <= buf.length) {
    const h = buf.subarray(pos, pos + 512);
    if (h.every((x) => x === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== octal(h.subarray(148, 156))) throw new RuntimeError(`${name}: not a tar archive (bad header checksum at byte ${pos})`);
    const size = octal(h.subarray(124, 136)), type = String.fromCharCode(h[156]!);
    const prefix = str(h.subarray(257, 263)).startsWith("ustar") ? str(h.subarray(345, 500)) : "";
    let path = longName ?? (prefix ? `${prefix}/${str(h.subarray(0, 100))}` : str(h.subarray(0, 100)));
    longName = null;
    const start = pos + 512;
    if (start + size > buf.length) throw new RuntimeError(`${name}: truncated tar archive`);
    const data = buf.subarray(start, start + size);
    pos = start + Math.ceil(size / 512) * 512;
    if (type === "L") { longName = str(data); continue; }
    if (type === "x" || type === "g") continue;  // pax headers
    path = normalize(path).replace(/\/$/, "");
    if (isAbsolute(path) || path.split(/[\\/]/).includes("..")) throw new RuntimeError(`${name}: refusing to extract ${path} outside the target folder`);
    if (type === "0" || type === "\0" || type === "7") out.push({ name: path, type: "file", data });
    else if (type === "5") out.push({ name: path, type: "directory", data });
  }
  return out;
}

/** Extracts a .tar, .tar.gz or .tgz file into `to`; returns the paths written. */
export function extractTar(path: string, to: string): string[] {
  const written: string[] = [];
  for (const e of readTar(readFileSync(path), path)) {
    const dest = join(to, e.name);
    if (e.type === "directory") mkdirSync(dest, { recursive: true });
    else { mkdirSync(dirname(dest), { recursive: true }); writeFileSync(dest, e.data); written.push(dest); }
  }
  return written;
}
