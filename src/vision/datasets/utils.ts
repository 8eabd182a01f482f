// SPDX-License-Identifier: BSD-3-Clause
// torchvision.datasets.utils: checksums, downloads (synchronous, with mirrors, through
// ../sync.ts) and archive extraction.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { RuntimeError } from "../../errors.js";
import { callSync } from "../sync.js";
import { extractTar } from "./tar.js";

export function calculateMd5(path: string): string {
  return createHash("md5").update(readFileSync(path)).digest("hex");
}

export function checkMd5(path: string, md5: string): boolean { return calculateMd5(path) === md5; }

/** The file exists and, when an MD5 is given, has it. */
export function checkIntegrity(path: string, md5?: string): boolean {
  if (!existsSync(path)) return false;
  return md5 === undefined ? true : checkMd5(path, md5);
}

export interface DownloadOptions { filename?: string; md5?: string; progress?: boolean }

/**
 * Downloads `urls` (one URL or mirrors tried in order) to root/filename unless a file with the
 * right MD5 is already there. Progress goes to stderr.
 */
export function downloadUrl(urls: string | string[], root: string, opts: DownloadOptions = {}): string {
  const list = typeof urls === "string" ? [urls] : urls;
  const dest = join(root, opts.filename ?? basename(new URL(list[0]!).pathname));
  mkdirSync(root, { recursive: true });
  if (checkIntegrity(dest, opts.md5)) {
    if (opts.progress !== false) process.stderr.write(`Using downloaded and verified file: ${dest}\n`);
    return dest;
  }
  callSync<string>({ op: "download", urls: list, dest, md5: opts.md5, progress: opts.progress ?? true });
  return dest;
}

/** Extracts .tar, .tar.gz, .tgz (into `to`) or a lone .gz (next to it, without the suffix). */
export function extractArchive(from: string, to?: string): string[] {
  const dest = to ?? join(from, "..");
  if (/\.(tar|tar\.gz|tgz)$/.test(from)) return extractTar(from, dest);
  if (from.endsWith(".gz")) {
    const out = join(dest, basename(from).slice(0, -3));
    writeFileSync(out, gunzipSync(readFileSync(from)));
    return [out];
  }
  throw new RuntimeError(`Extraction of ${from} not supported`);
}

export function downloadAndExtractArchive(urls: string | string[], downloadRoot: string,
  opts: DownloadOptions & { extractRoot?: string } = {}): string[] {
  const path = downloadUrl(urls, downloadRoot, opts);
  return extractArchive(path, opts.extractRoot ?? downloadRoot);
}
