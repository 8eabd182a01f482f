// SPDX-License-Identifier: BSD-3-Clause
// The native buffer cache (native/cpu/alloc.cc, allocTyped in src/tensor/dtype.ts): recycled
// blocks never alias a live tensor, stale bytes never show through, zero-filled allocations are
// zero, cached buffers travel to worker threads and through structuredClone, and a loop making
// 10 GB of fresh results stays bounded in memory (in a child process, so the test's own heap
// does not blur the numbers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import * as torch from "../../src/index.js";
import { CACHE_MIN_BYTES, allocTyped, allocTypedUninit, emptyCache } from "../../src/tensor/dtype.js";
import { native } from "../../src/backends/cpu/native.js";

const cacheOn = process.env["TORCHTS_ALLOC_CACHE"] !== "0" && typeof native.allocBuffer === "function";
const big = (CACHE_MIN_BYTES / 4) * 3 + 7;  // float32 elements, above the threshold, odd

// ---- the child: 10 GB of fresh results, reporting peak RSS ------------------------------------------

if (process.env["TORCHTS_ALLOC_CHILD"] === "1") {
  const sizes = [16 << 20, 4 << 20, (1 << 20) + 3, 3 << 20];  // float32 elements: 64, 16, 4, 12 MiB
  const a = sizes.map((n) => torch.rand([n])), b = sizes.map((n) => torch.rand([n]));
  const rss0 = process.memoryUsage.rss();
  let peak = rss0, total = 0, k = 0;
  while (total < 10 * 2 ** 30) {
    const i = k++ % sizes.length;
    const c = i % 2 ? torch.mul(a[i]!, b[i]!) : torch.add(a[i]!, b[i]!);
    total += c.numel() * 4;
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  process.stdout.write(JSON.stringify({ rss0, peak, total, stats: cacheOn ? native.allocStats() : null }) + "\n");
  process.exit(0);
}

test("10 GB of fresh results: resident memory stays bounded (child process)", () => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, TORCHTS_ALLOC_CHILD: "1", TORCHTS_NUM_THREADS: "1" }, encoding: "utf8", timeout: 600_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const { rss0, peak, total } = JSON.parse(r.stdout.trim().split("\n").pop()!) as { rss0: number; peak: number; total: number };
  assert.ok(total >= 10 * 2 ** 30);
  // the inputs are 200 MiB; live results, dead ones awaiting a collection and the cache's free
  // blocks (at most its limit, 512 MiB) stay well under this
  const growth = (peak - rss0) / 2 ** 20;
  assert.ok(growth < 1536, `peak RSS grew by ${growth.toFixed(0)} MiB over 10 GB of results`);
});

// ---- aliasing and contents ------------------------------------------------------------------------

test("recycled buffers never alias a live tensor; every element of a fresh result is written", () => {
  const n = big;
  const a = torch.rand([n]), b = torch.rand([n]);
  const expected = Array.from(a._storage.data as Float32Array, (x, i) => Math.fround(x + (b._storage.data as Float32Array)[i]!));
  const live: { t: torch.Tensor; v: number }[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for (let it = 0; it < 400; it++) {
    // garbage: blocks full of NaN that die at once and come back to the cache
    for (let j = 0; j < 3; j++) torch.full([n + j * 1000], NaN);
    const c = torch.add(a, b);
    const data = c._storage.data as Float32Array;
    // a fresh result: its bytes are exactly a + b, with nothing stale (NaN) left over
    if (it % 50 === 0) for (let i = 0; i < n; i++) assert.equal(data[i], expected[i]);
    else assert.ok(!Number.isNaN(data[n - 1]!) && !Number.isNaN(data[0]!) && data[n >> 1] === expected[n >> 1]);
    // keep some alive, each filled with its own value, and check none was overwritten
    if (it % 20 === 0) {
      const t = torch.full([n], it + 0.5);
      assert.ok(!buffers.has(t._storage.data.buffer), "a live tensor's buffer was handed out again");
      buffers.add(t._storage.data.buffer);
      live.push({ t, v: it + 0.5 });
    }
  }
  for (const { t, v } of live) {
    const d = t._storage.data as Float32Array;
    assert.ok(d[0] === v && d[d.length - 1] === v && d[d.length >> 1] === v && d.every((x) => x === v));
  }
});

test("zero-filled allocations are zero after recycling (torch.zeros, allocTyped), 1 and 2 threads", () => {
  const threads = torch.getNumThreads();
  try {
    for (const nt of [1, 2]) {
      torch.setNumThreads(nt);
      for (let it = 0; it < 20; it++) {
        for (const n of [big, 1 << 20, (1 << 22) + 5]) {
          torch.full([n], -1.5);  // dies at once
          const z = torch.zeros([n]);
          const d = z._storage.data as Float32Array;
          if (it % 10 === 0) assert.ok(d.every((x) => x === 0), `zeros(${n}) not zero`);
          else assert.ok(d[0] === 0 && d[n - 1] === 0 && d[n >> 1] === 0);
          const raw = allocTyped("float64", n >> 1);
          if (it % 10 === 0) assert.ok(raw.every((x) => x === 0));
        }
      }
    }
  } finally {
    torch.setNumThreads(threads);
  }
});

test("every dtype: cached arrays have the right type, length, offset 0 and an exact-size buffer", () => {
  for (const dtype of ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"] as const) {
    for (const n of [1, 100, CACHE_MIN_BYTES + 1, 3 * CACHE_MIN_BYTES + 5]) {
      const z = allocTyped(dtype, n), u = allocTypedUninit(dtype, n);
      for (const arr of [z, u]) {
        assert.equal(arr.length, n);
        assert.equal(arr.byteOffset, 0);
        assert.equal(arr.buffer.byteLength, arr.byteLength);
        assert.equal(arr.constructor, torch.empty([0], { dtype }) ._storage.data.constructor);
      }
    }
  }
  const t = torch.arange(CACHE_MIN_BYTES, { dtype: "int64" }).add(1);
  assert.equal(t._storage.data.length, CACHE_MIN_BYTES);
  assert.equal((t._storage.data as BigInt64Array)[CACHE_MIN_BYTES - 1], BigInt(CACHE_MIN_BYTES));
});

test("cached buffers: structuredClone copies, transfer moves, worker threads can hold and free them", async () => {
  const t = torch.arange(big).float().add(0.5);
  const data = t._storage.data as Float32Array;
  const copy = structuredClone(data);
  assert.notEqual(copy.buffer, data.buffer);
  assert.deepEqual(copy.subarray(0, 5), data.subarray(0, 5));
  assert.equal(copy[big - 1], big - 0.5);

  // transfer one to a worker, which sums it, makes its own cached result and sends both back
  const src = torch.arange(big).float().mul(2);
  const moved = src._storage.data as Float32Array;
  const dtypeUrl = new URL("../../src/tensor/dtype.js", import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    import(${JSON.stringify(dtypeUrl)}).then(({ allocTypedUninit }) => {
      parentPort.once("message", (arr) => {
        let s = 0; for (let i = 0; i < arr.length; i++) s += arr[i];
        const mine = allocTypedUninit("float32", arr.length); mine.set(arr); mine[0] = -1;
        parentPort.postMessage({ s, arr, mine }, [arr.buffer, mine.buffer]);
      });
      parentPort.postMessage("ready");
    });`;
  const w = new Worker(code, { eval: true });
  try {
    const reply = await new Promise<{ s: number; arr: Float32Array; mine: Float32Array }>((resolve, reject) => {
      w.on("error", reject);
      w.on("message", (m) => {
        if (m === "ready") w.postMessage(moved, [moved.buffer as ArrayBuffer]);
        else resolve(m);
      });
    });
    assert.equal(moved.byteLength, 0, "the transferred buffer is detached here");
    assert.equal(reply.s, big * (big - 1));
    assert.equal(reply.arr.length, big);
    assert.equal(reply.arr[big - 1], 2 * (big - 1));
    assert.equal(reply.mine[0], -1);
    assert.equal(reply.mine[big - 1], 2 * (big - 1));
  } finally {
    await w.terminate();
  }
  // both worker-made and returned buffers are ordinary, usable arrays here; churn so they die
  for (let i = 0; i < 50; i++) torch.add(t, t);
});

test("the cache is bounded: setAllocLimit and emptyCache give idle blocks back", { skip: !cacheOn }, () => {
  for (let i = 0; i < 50; i++) torch.add(torch.ones([1 << 20]), 1);
  const before = native.allocStats() as { cachedBytes: number; limit: number };
  assert.ok(before.cachedBytes <= before.limit);
  // V8 may run a dead buffer's deleter (which hands its block to the cache) on another thread just
  // after emptyCache, so a block can arrive between the call and the check: each emptyCache must
  // give back everything idle at that moment, and three in a row leave nothing behind
  let cached = -1;
  for (let i = 0; i < 3 && cached !== 0; i++) {
    emptyCache();
    cached = (native.allocStats() as { cachedBytes: number }).cachedBytes;
  }
  assert.equal(cached, 0);
  native.setAllocLimit(1 << 20);
  try {
    for (let i = 0; i < 50; i++) torch.add(torch.ones([1 << 20]), 1);
    assert.ok((native.allocStats() as { cachedBytes: number }).cachedBytes <= 1 << 20);
  } finally {
    native.setAllocLimit(before.limit);
  }
});

test("elementwise results in recycled blocks: the same as computed in small (uncached) pieces, 1 and 2 threads", () => {
  const rows = 97, cols = 1031;  // 97 x 1031 float32 = 391 KiB, above the threshold
  const x = torch.randn([rows, cols]).mul(3), y = torch.randn([rows, cols]);
  const yT = torch.randn([cols, rows]).t();  // non-contiguous
  const yRow = torch.randn([cols]);  // broadcast
  const xi = x.mul(10).to("int32"), yi = y.mul(10).to("int32").abs().add(1);
  const ops: [string, (x: torch.Tensor, y: torch.Tensor, xi: torch.Tensor, yi: torch.Tensor) => torch.Tensor][] = [
    ["add", (a, b) => torch.add(a, b)], ["sub alpha", (a, b) => torch.sub(a, b, { alpha: 2 })], ["mul", (a, b) => torch.mul(a, b)],
    ["div", (a, b) => torch.div(a, b)], ["relu", (a) => torch.relu(a)], ["exp", (a) => torch.exp(a)],
    ["sigmoid", (a) => torch.sigmoid(a)], ["tanh", (a) => torch.tanh(a)], ["abs", (a) => torch.abs(a)],
    ["clamp", (a) => torch.clamp(a, -1, 1)], ["pow", (a) => torch.pow(a, 2)], ["maximum", (a, b) => torch.maximum(a, b)],
    ["gt (bool)", (a, b) => torch.gt(a, b)], ["isnan (bool)", (a) => torch.isnan(a)],
    ["where", (a, b) => torch.where(torch.gt(a, 0), a, b)], ["to float64", (a) => a.to("float64")], ["to int64", (a) => a.to("int64")],
    ["int add", (_a, _b, ai, bi) => torch.add(ai, bi)], ["int remainder", (_a, _b, ai, bi) => torch.remainder(ai, bi)],
    ["int to float (promotion)", (a, _b, ai) => torch.add(ai, a)], ["lerp", (a, b) => torch.lerp(a, b, 0.25)],
    ["clone", (_a, b) => b.clone()], ["contiguous", (_a, b) => b.contiguous()], ["to int16", (_a, _b, ai) => ai.to("int16")],
  ];
  const threads = torch.getNumThreads();
  try {
    for (const nt of [1, 2]) {
      torch.setNumThreads(nt);
      for (const [name, f] of ops) {
        for (const [yname, yy] of [["contiguous", y], ["transposed", yT], ["broadcast row", yRow]] as const) {
          if (yy.dim() === 1 && (name === "clone" || name === "contiguous")) continue;  // only y's rows line up with x's
          for (let j = 0; j < 4; j++) torch.full([rows * cols * 2 + j], 12345.678);  // stale bytes for the cache
          const whole = f(x, yy as torch.Tensor, xi, yi);
          for (let r = 0; r < rows; r += 13) {
            const n = Math.min(3, rows - r);  // 3 rows: 12 KiB, below the threshold
            const piece = f(x.narrow(0, r, n), yy.dim() === 1 ? yy : yy.narrow(0, r, n), xi.narrow(0, r, n), yi.narrow(0, r, n));
            const got = whole.narrow(0, r, n);
            assert.ok(torch.equal(torch.isnan(got), torch.isnan(piece)) &&
              torch.allclose(got.to("float64"), piece.to("float64"), { rtol: 1e-6, atol: 1e-6, equalNan: true }),
              `${name} (${yname} y, ${nt} threads): rows ${r}..${r + n} differ`);
          }
        }
      }
    }
  } finally {
    torch.setNumThreads(threads);
  }
});

test("torch.save / torch.load (read and mmap) of cached tensors round-trip", () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-alloc-"));
  try {
    const x = torch.arange(big).float().mul(0.25), y = torch.arange(big, { dtype: "int64" }).t();
    const file = join(dir, "c.pt");
    const rows = [11, 7, 5, 3].find((d) => big % d === 0) ?? 1;  // a non-contiguous view of x
    torch.save({ x, y, xt: x.reshape(rows, -1).t() }, file);
    for (const mmap of [false, true]) {
      for (let j = 0; j < 4; j++) torch.full([big * 2 + j], 12345.678);  // stale bytes for the cache
      const m = torch.load(file, { mmap }) as Record<string, torch.Tensor>;
      assert.ok(torch.equal(m["x"]!, x) && torch.equal(m["y"]!, y) && torch.equal(m["xt"]!, x.reshape(rows, -1).t()), `mmap: ${mmap}`);
      assert.ok(torch.equal(m["x"]!.add(1), x.add(1)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
