// SPDX-License-Identifier: BSD-3-Clause
// torch.save: the zip layout PyTorch writes, written atomically to paths (temp file in the same
// directory, fsync, rename, fsync of the directory), or streamed to anything with write().
import * as path from "node:path";
import { atomicWriteAsync, atomicWriteSync } from "./atomic.js";
import { Pickler } from "./pickler.js";
import { ZipWriter, type Sink } from "./zip.js";
import { CheckpointError } from "./errors.js";

/** Something torch.save can write to besides a path: a Node Writable, or any `{ write(chunk) }`. */
export interface WritableLike { write(chunk: Uint8Array, ...rest: never[]): unknown }

const text = (s: string): Uint8Array[] => [new TextEncoder().encode(s)];

/** PyTorch names the archive directory after the file ("model.pt" -> "model/"), "archive" for streams. */
export function archivePrefix(target: string | null): string {
  if (target === null) return "archive";
  const base = path.basename(target);
  const ext = path.extname(base);
  const stem = ext && ext !== base ? base.slice(0, -ext.length) : base;
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}$/.test(stem) ? stem : "archive";
}

/** Streams the checkpoint's bytes to `sink`; storage bytes are passed as views, never copied. */
export function writeCheckpoint(obj: unknown, prefix: string, sink: Sink): void {
  const pickler = new Pickler();
  const pkl = pickler.finish(obj);
  const zip = new ZipWriter(sink);
  const p = prefix + "/";
  zip.addRecord(p + "data.pkl", [pkl]);
  zip.addRecord(p + ".format_version", text("1"));
  zip.addRecord(p + ".storage_alignment", text("64"));
  zip.addRecord(p + "byteorder", text("little"));
  for (const r of pickler.records) zip.addRecord(`${p}data/${r.key}`, [r.bytes]);
  zip.addRecord(p + "version", text("3\n"));
  zip.finish();
}

/** The checkpoint as one Buffer (what torch.save into an io.BytesIO gives). */
export function saveToBuffer(obj: unknown): Buffer {
  const chunks: Uint8Array[] = [];
  writeCheckpoint(obj, "archive", (c) => chunks.push(c));
  return Buffer.concat(chunks);
}

/** torch.save(obj, path | writable). Paths are replaced atomically. */
export function save(obj: unknown, target: string | WritableLike): void {
  if (typeof target !== "string") {
    writeCheckpoint(obj, "archive", (c) => { target.write(c); });
    return;
  }
  atomicWriteSync(target, (sink) => writeCheckpoint(obj, archivePrefix(path.resolve(target)), sink));
}

/** torch.saveAsync: the same bytes as save(), written without blocking the event loop. */
export async function saveAsync(obj: unknown, target: string | WritableLike): Promise<void> {
  const chunks: Uint8Array[] = [];
  const prefix = typeof target === "string" ? archivePrefix(path.resolve(target)) : "archive";
  writeCheckpoint(obj, prefix, (c) => chunks.push(c));
  if (typeof target !== "string") {
    for (const c of chunks) {
      const ok = target.write(c);
      const w = target as unknown as { once?(ev: string, cb: () => void): void };
      if (ok === false && typeof w.once === "function") await new Promise<void>((resolve) => w.once!("drain", resolve));
    }
    return;
  }
  await atomicWriteAsync(target, chunks);
}

export function checkSaveTarget(target: unknown): void {
  if (typeof target !== "string" && (typeof target !== "object" || target === null || typeof (target as WritableLike).write !== "function"))
    throw new CheckpointError("E_SAVE", "torch.save needs a path or an object with a write() method");
}
