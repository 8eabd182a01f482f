// SPDX-License-Identifier: BSD-3-Clause
// Atomic file replacement (reliability.md §4.5): write a uniquely named temp file in the target's
// directory, fsync it, rename it over the target, fsync the directory. A crash at any moment leaves
// the old file or the new one. Temp files of writers that died are removed by the next save.
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

/** Receives a file's bytes in order. */
export type ChunkSink = (chunk: Uint8Array) => void;

const TMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.torchts-tmp$/;

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.torchts-tmp`);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
}

/** Removes temp files that killed earlier saves of `target` left behind (their writer is gone). */
export function removeStaleTemps(target: string): void {
  let names: string[];
  try { names = fs.readdirSync(path.dirname(target)); } catch { return; }
  for (const n of names) {
    const m = TMP_RE.exec(n);
    if (m === null || m[1] !== path.basename(target)) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || alive(pid)) continue;
    try { fs.unlinkSync(path.join(path.dirname(target), n)); } catch { /* already gone */ }
  }
}

function targetMode(target: string): number | undefined {
  try { return fs.statSync(target).mode & 0o7777; } catch { return undefined; }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try { fd = fs.openSync(dir, "r"); fs.fsyncSync(fd); } catch { /* not supported on every platform */ } finally { if (fd !== undefined) fs.closeSync(fd); }
}

function writeAllSync(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += fs.writeSync(fd, chunk, off, chunk.length - off);
}

const BIG = 1 << 20;

/** Replaces `file` atomically with the bytes `produce` hands to its sink. */
export function atomicWriteSync(file: string, produce: (sink: ChunkSink) => void): void {
  const target = path.resolve(file);
  removeStaleTemps(target);
  const tmp = tempName(target);
  const mode = targetMode(target);
  const fd = fs.openSync(tmp, "wx", mode ?? 0o666);
  let closed = false;
  try {
    let pending: Uint8Array[] = [], n = 0;
    const flush = (): void => { if (n) writeAllSync(fd, Buffer.concat(pending)); pending = []; n = 0; };
    produce((c) => {
      if (c.length >= BIG) { flush(); writeAllSync(fd, c); return; }
      pending.push(c); n += c.length;
      if (n >= BIG) flush();
    });
    flush();
    if (mode !== undefined) fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    closed = true;
    fs.renameSync(tmp, target);
  } catch (e) {
    if (!closed) try { fs.closeSync(fd); } catch { /* ignore */ }
    try { fs.unlinkSync(tmp); } catch { /* ignore */ }
    throw e;
  }
  fsyncDir(path.dirname(target));
}

/** Joins runs of small chunks into ~1 MiB writes; large ones pass through. */
function coalesce(chunks: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pending: Uint8Array[] = [], n = 0;
  const flush = (): void => { if (n) out.push(Buffer.concat(pending)); pending = []; n = 0; };
  for (const c of chunks) {
    if (c.length >= BIG) { flush(); out.push(c); continue; }
    pending.push(c); n += c.length;
    if (n >= BIG) flush();
  }
  flush();
  return out;
}

/** atomicWriteSync without blocking the event loop. */
export async function atomicWriteAsync(file: string, chunks: readonly Uint8Array[]): Promise<void> {
  const target = path.resolve(file);
  removeStaleTemps(target);
  const tmp = tempName(target);
  const mode = targetMode(target);
  const fh = await fs.promises.open(tmp, "wx", mode ?? 0o666);
  let closed = false;
  try {
    for (const c of coalesce(chunks)) {
      let off = 0;
      while (off < c.length) off += (await fh.write(c, off, c.length - off)).bytesWritten;
    }
    if (mode !== undefined) await fh.chmod(mode);
    await fh.sync();
    await fh.close();
    closed = true;
    await fs.promises.rename(tmp, target);
  } catch (e) {
    if (!closed) await fh.close().catch(() => undefined);
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw e;
  }
  fsyncDir(path.dirname(target));
}
