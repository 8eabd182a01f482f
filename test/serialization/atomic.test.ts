// SPDX-License-Identifier: BSD-3-Clause
// CKPT-W2: a writer SIGKILLed at 20 random moments while saving a 50 MB checkpoint over an older
// one never leaves a torn file: the target always loads (CRC-checked) as the old or the new one,
// at most one stray temp file remains, and the next save removes it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, "..", "..", "scripts", "checkpoint-save-child.js");
const MB = 50;

/** mulberry32: a fixed-seed stream of kill delays. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tagOf(file: string): number {
  const ck = torch.load(file) as { a: torch.Tensor; b: torch.Tensor; tag: number };
  const n = ck.a.numel();
  assert.equal(n * 4 * 2, Math.floor((MB * 1024 * 1024) / 8) * 8);
  for (const t of [ck.a, ck.b]) for (const i of [0, n >> 1, n - 1]) assert.equal(t.index(i).item(), ck.tag);
  return ck.tag;
}

test("CKPT-W2: SIGKILL at 20 random points during a 50 MB save leaves the old or the new checkpoint", { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(child), `${child} (compile scripts/checkpoint-save-child.ts)`);
  const dir = mkdtempSync(join(tmpdir(), "torchts-atomic-"));
  try {
    const target = join(dir, "ckpt.pt");
    const half = Math.floor((MB * 1024 * 1024) / 8);
    const t0 = performance.now();
    torch.save({ a: torch.full([half], 1), b: torch.full([half], 1), tag: 1 }, target);
    const saveMs = performance.now() - t0;
    let current = 1;
    const rand = rng(20260101);
    const outcomes = { old: 0, new: 0 };
    // children start while the previous one is being killed, so node's start-up is not on the clock
    const start = (): { p: ReturnType<typeof spawn>; saw: (word: string) => Promise<void>; exited: Promise<unknown> } => {
      const p = spawn(process.execPath, [child, target, String(MB)], { stdio: ["pipe", "pipe", "inherit"] });
      const exited = new Promise((r) => p.on("exit", r));
      let out = "";
      const waiters: [string, () => void][] = [];
      p.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        for (const [w, r] of waiters) if (out.includes(w)) r();
      });
      const saw = (word: string): Promise<void> => new Promise((resolve, reject) => {
        if (out.includes(word)) return resolve();
        waiters.push([word, resolve]);
        void exited.then(() => { if (!out.includes(word)) reject(new Error(`child exited before '${word}': ${out}`)); });
      });
      return { p, saw, exited };
    };
    let next = start();
    for (let i = 0; i < 20; i++) {
      const c = next;
      await c.saw("ready");
      next = start();
      const tag = current + 1;
      c.p.stdin!.write(`${tag}\n`);
      await c.saw("saving");
      // kill somewhere in [0, 1.25 x the save time]: most kills land mid-save, some after it
      await new Promise((r) => setTimeout(r, rand() * saveMs * 1.25));
      c.p.kill("SIGKILL");
      await c.exited;
      const got = tagOf(target);
      assert.ok(got === current || got === tag, `iteration ${i}: loaded tag ${got}, expected ${current} or ${tag}`);
      if (got === tag) outcomes.new++; else outcomes.old++;
      current = got;
      const strays = readdirSync(dir).filter((n) => n.endsWith(".torchts-tmp"));
      assert.ok(strays.length <= 1, `at most one stray temp file, found ${strays.join(", ")}`);
    }
    next.p.kill("SIGKILL");
    await next.exited;
    // the next save removes the strays of dead writers
    torch.save({ a: torch.full([half], 99), b: torch.full([half], 99), tag: 99 }, target);
    assert.equal(tagOf(target), 99);
    assert.deepEqual(readdirSync(dir), ["ckpt.pt"]);
    t.diagnostic(`save ${saveMs.toFixed(0)} ms; kills leaving the old file ${outcomes.old}, the new one ${outcomes.new}`);
    assert.ok(outcomes.old > 0, `some kills should land mid-save (old ${outcomes.old}, new ${outcomes.new})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
