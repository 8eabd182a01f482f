// SPDX-License-Identifier: BSD-3-Clause
// torch.safetensors (reliability.md §6 SEC-5): the spec vector byte for byte, the good fixture's
// contents, every hostile file refused naming its tensor, round trips.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { fixturePath } from "../helpers.js";

const { safetensors } = torch;
const fx = (name: string): string => fixturePath(`checkpoints/${name}`);
const dir = mkdtempSync(join(tmpdir(), "torchts-st-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

test("the writer reproduces spec_vector.safetensors byte for byte", () => {
  const want = readFileSync(fx("spec_vector.safetensors"));
  const got = safetensors.save({ "attn.0": torch.arange(6, { dtype: "float32" }).reshape(1, 2, 3) });
  assert.ok(got.equals(want), `${got.toString("latin1")}\n${want.toString("latin1")}`);
  const back = safetensors.load(want);
  assert.deepEqual(back["attn.0"]!.tolist(), [[[0, 1, 2], [3, 4, 5]]]);
});

test("tensors.safetensors loads with the manifest's values; metadata is read", () => {
  const t = safetensors.loadFile(fx("tensors.safetensors"));
  assert.deepEqual(Object.keys(t).sort(), ["bf16", "bool", "empty", "f16", "f32", "f64", "i64", "scalar"]);
  assert.deepEqual(t["f32"]!.tolist(), [[0, 0.25, 0.5], [0.75, 1, 1.25]]);
  assert.deepEqual(t["f64"]!.tolist(), [1.5, -2.25, Infinity]);
  assert.deepEqual(t["i64"]!.tolist(), [[1, -2], [3, 1099511627776]]);
  assert.deepEqual(t["bool"]!.tolist(), [true, false, true]);
  assert.deepEqual(t["f16"]!.tolist(), [0.5, -1]);
  assert.deepEqual(t["bf16"]!.tolist(), [1, 3]);
  assert.equal(t["scalar"]!.ndim, 0);
  assert.equal(t["scalar"]!.item(), 3);
  assert.deepEqual(t["empty"]!.shape, [0, 4]);
  assert.equal(t["bf16"]!.dtype, "bfloat16");
  assert.deepEqual(safetensors.metadata(fx("tensors.safetensors")), { format: "pt" });
});

const HOSTILE: [string, RegExp, string | undefined][] = [
  ["mal_st_missing_data.safetensors", /tensor "a" data_offsets \[0,4\] run past the 0 data bytes/, "a"],
  ["mal_st_header_len_huge.safetensors", /HeaderTooLarge: header length 9223372036854775808/, undefined],
  ["mal_st_overlap.safetensors", /tensor "b" data_offsets \[4,12\] overlaps previous tensor "a" ending at 8/, "b"],
  ["mal_st_gap.safetensors", /tensor "b" data_offsets \[8,12\] leave a gap after previous tensor "a" ending at 4/, "b"],
  ["mal_st_bad_dtype.safetensors", /tensor "a" has unknown dtype "F33"/, "a"],
  ["mal_st_shape_mismatch.safetensors", /tensor "a" of dtype F32 and shape \[3\] needs 12 bytes but data_offsets \[0,4\] span 4/, "a"],
  ["mal_st_overflow.safetensors", /ValidationOverflow: tensor "a" shape \[4294967296, 4294967296\]/, "a"],
  ["mal_st_duplicate_key.safetensors", /duplicate tensor name "a"/, "a"],
  ["mal_st_trailing_bytes.safetensors", /1 trailing bytes after tensor "a"/, "a"],
];

for (const [name, re, entry] of HOSTILE) {
  test(`SEC-5: ${name} is refused`, () => {
    for (const load of [() => safetensors.loadFile(fx(name)), () => safetensors.load(readFileSync(fx(name)))]) {
      const t0 = performance.now();
      assert.throws(load, (e: unknown) => {
        assert.ok(e instanceof torch.serialization.CheckpointError, String(e));
        assert.equal(e.code, "E_SAFETENSORS");
        assert.match(e.message, re);
        assert.equal(e.entry, entry);
        return true;
      });
      assert.ok(performance.now() - t0 < 1000);
    }
  });
}

test("safetensors edge cases: tiny files, bad JSON, unsupported dtypes", () => {
  const bad = (b: Uint8Array, re: RegExp): void =>
    assert.throws(() => safetensors.load(b), (e: unknown) => e instanceof torch.serialization.CheckpointError && e.code === "E_SAFETENSORS" && re.test(e.message));
  bad(new Uint8Array(3), /HeaderTooSmall/);
  const hdr = (s: string, tail = 0): Buffer => { const h = Buffer.from(s); const n = Buffer.alloc(8); n.writeBigUInt64LE(BigInt(h.length)); return Buffer.concat([n, h, Buffer.alloc(tail)]); };
  bad(hdr("{", 0), /InvalidHeaderDeserialization/);
  bad(hdr("[]"), /not a JSON object/);
  bad(hdr('{"a":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}', 2), /dtype U16, which torchts does not support/);
  bad(hdr('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4), /not a non-negative integer/);
  bad(Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])]), /not valid UTF-8/);
  bad(Buffer.from([100, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]), /InvalidHeaderLength/);
  assert.deepEqual(safetensors.load(hdr("{}")), {});
});

test("safetensors round trip: every dtype, metadata, saveFile/loadFile, non-contiguous refused", async () => {
  const t = {
    w: torch.randn(3, 4), b: torch.tensor([true, false]), i: torch.tensor([1n, -(2n ** 62n)], { dtype: "int64" }),
    h: torch.randn(5).half(), bf: torch.randn(2).bfloat16(), u: torch.tensor([0, 255]).to("uint8"), s: torch.tensor(7.5),
    "0": torch.zeros(0), i16: torch.tensor([-5, 300]).to("int16"), i8: torch.tensor([-5]).to("int8"), i32: torch.tensor([1 << 30]).to("int32"),
  };
  const file = join(dir, "rt.safetensors");
  safetensors.saveFile(t, file, { format: "pt", note: "ü" });
  const back = safetensors.loadFile(file);
  for (const [k, v] of Object.entries(t)) {
    assert.equal(back[k]!.dtype, v.dtype, k);
    assert.deepEqual(back[k]!.tolist(), v.tolist(), k);
  }
  assert.deepEqual(safetensors.metadata(file), { format: "pt", note: "ü" });
  await safetensors.saveFileAsync({ x: torch.ones(2) }, file);
  assert.deepEqual((await safetensors.loadFileAsync(file))["x"]!.tolist(), [1, 1]);
  assert.throws(() => safetensors.save({ x: torch.randn(2, 3).T }), /non contiguous tensor: `x`/);
  assert.throws(() => safetensors.loadFile(file, { device: "cuda" }), (e: unknown) => e instanceof torch.serialization.CheckpointError && e.code === "E_DEVICE");
});
