// SPDX-License-Identifier: BSD-3-Clause
// Downloading one file from a list of mirrors (run in the worker of ../sync.ts): each URL is tried
// in order; the bytes go to `<dest>.part` while a progress bar is drawn on stderr, the MD5 is
// checked, and only then is the file renamed to `dest`, so an interrupted or corrupt download
// never leaves a file that looks complete.
import { createHash } from "node:crypto";
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname } from "node:path";

function human(n: number): string {
  const u = ["B", "kB", "MB", "GB"];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(i === 0 ? 0 : 1)}${u[i]}`;
}

function bar(name: string, done: number, total: number, seconds: number): string {
  const rate = seconds > 0 ? `${human(done / seconds)}/s` : "?";
  if (!total) return `\r${name}: ${human(done)} [${seconds.toFixed(0)}s, ${rate}]`;
  const frac = Math.min(1, done / total), width = 30, full = Math.floor(frac * width);
  return `\r${name}: ${String(Math.floor(frac * 100)).padStart(3)}%|${"█".repeat(full)}${" ".repeat(width - full)}| ` +
    `${human(done)}/${human(total)} [${seconds.toFixed(0)}s, ${rate}]`;
}

async function fetchOne(url: string, part: string, md5: string | undefined, progress: boolean): Promise<void> {
  const res = await fetch(url, { redirect: "follow" });
  if (!res.ok || !res.body) throw new Error(`HTTP Error ${res.status}: ${res.statusText}`);
  const total = Number(res.headers.get("content-length") ?? 0), hash = createHash("md5"), t0 = Date.now();
  const fd = openSync(part, "w");
  let done = 0, last = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      writeSync(fd, chunk);
      hash.update(chunk);
      done += chunk.length;
      if (progress && Date.now() - last > 100) { last = Date.now(); writeSync(2, bar(basename(url), done, total, (last - t0) / 1000)); }
    }
  } finally {
    closeSync(fd);
  }
  if (progress) writeSync(2, bar(basename(url), done, total, (Date.now() - t0) / 1000) + "\n");
  if (total && done !== total) throw new Error(`incomplete download: ${done} of ${total} bytes`);
  const got = hash.digest("hex");
  if (md5 && got !== md5) throw new Error(`checksum mismatch: expected MD5 ${md5}, got ${got}`);
}

/** Returns the URL that worked; throws naming every URL tried and why it failed. */
export async function downloadFile(urls: string[], dest: string, md5: string | undefined, progress: boolean): Promise<string> {
  const failures: string[] = [], part = `${dest}.part`;
  for (const url of urls) {
    try {
      if (progress) writeSync(2, `Downloading ${url} to ${dest}\n`);
      await fetchOne(url, part, md5, progress);
      renameSync(part, dest);
      return url;
    } catch (e) {
      rmSync(part, { force: true });
      const err = e as Error & { cause?: Error };
      failures.push(`  ${url}: ${err.message}${err.cause ? ` (${err.cause.message})` : ""}`);
      if (progress) writeSync(2, `Failed to download (trying next):\n${failures[failures.length - 1]}\n`);
    }
  }
  throw new Error(`Error downloading ${basename(dest)}: every URL failed:\n${failures.join("\n")}\n` +
    `Download the file by hand from one of these URLs and put it at ${dest}` +
    `${md5 ? ` (its MD5 must be ${md5})` : ""}; it is used from ${dirname(dest)} without downloading.`);
}
