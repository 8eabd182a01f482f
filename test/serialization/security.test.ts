// SPDX-License-Identifier: BSD-3-Clause
// The loader's refusals (reliability.md §2.5, §6 SEC-1..SEC-4, SEC-7): every hostile fixture and
// generated case throws CheckpointError with its stable code, fast, without side effects.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { fixturePath } from "../helpers.js";
import { ZipWriter } from "../../src/serialization/zip.js";
import type { LoadOptions } from "../../src/serialization/load.js";

const { CheckpointError } = torch.serialization;
const fx = (name: string): string => fixturePath(`checkpoints/${name}`);

function refuses(input: string | Uint8Array, code: string, message: RegExp, opts: LoadOptions = {}): void {
  const t0 = performance.now();
  assert.throws(() => torch.load(input, opts), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected CheckpointError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
  assert.ok(performance.now() - t0 < 1000, "refused within 1 s");
}

/** A zip archive of the given records (our writer: STORED, aligned, correct CRCs). */
function zip(records: Record<string, Uint8Array | string>): Buffer {
  const chunks: Uint8Array[] = [];
  const z = new ZipWriter((c) => chunks.push(c));
  for (const [name, data] of Object.entries(records)) z.addRecord(name, [typeof data === "string" ? new TextEncoder().encode(data) : data]);
  z.finish();
  return Buffer.concat(chunks);
}
const pkl = (...bytes: (number | string)[]): Uint8Array =>
  Uint8Array.from(bytes.flatMap((b) => (typeof b === "string" ? [...Buffer.from(b, "latin1")] : [b])));
const withPickle = (p: Uint8Array): Buffer => zip({ "archive/data.pkl": p, "archive/version": "3\n" });

test("SEC-1: GLOBAL and STACK_GLOBAL outside the allowlist are refused and nothing runs", () => {
  const log = console.log;
  let printed = false;
  console.log = () => { printed = true; };
  try {
    refuses(fx("mal_global_reduce.pt"), "E_GLOBAL_NOT_ALLOWED", /Python global '__builtin__\.print' at pickle offset \d+.*not in the allowlist.*nothing was executed/);
    refuses(fx("mal_stack_global.pt"), "E_GLOBAL_NOT_ALLOWED", /Python global 'builtins\.print' at pickle offset \d+/);
    refuses(fx("mal_global_reduce.pt"), "E_GLOBAL_NOT_ALLOWED", /__builtin__\.print/, { weightsOnly: false });
  } finally { console.log = log; }
  assert.equal(printed, false);
  // os/sys/posix are refused even though they are only looked up
  refuses(withPickle(pkl(0x80, 2, "cos\nsystem\n", 0x2e)), "E_GLOBAL_NOT_ALLOWED", /'os\.system'/);
  refuses(withPickle(pkl(0x80, 2, "cposix\nsystem\n", 0x2e)), "E_GLOBAL_NOT_ALLOWED", /'posix\.system'/);
});

test("SEC-2: storage size mismatch, out-of-bounds views and negative strides", () => {
  refuses(fx("mal_storage_size_mismatch.pt"), "E_STORAGE", /storage '0' declares 1000000 float32 elements \(4000000 bytes\) but record data\/0 has 16 bytes/);
  refuses(fx("mal_view_out_of_bounds.pt"), "E_VIEW_BOUNDS", /size \[1000\].*reads element 999 of a 4-element storage '0'/);
  refuses(fx("mal_negative_stride.pt"), "E_VIEW_BOUNDS", /negative stride/);
});

test("SEC-3: record traversal and zip entry traversal", () => {
  refuses(fx("mal_record_traversal.pt"), "E_ZIP_NAME", /storage key "\.\.\/\.\.\/etc\/passwd"/);
  refuses(fx("mal_zip_entry_traversal.pt"), "E_ZIP_NAME", /archive\/\.\.\/\.\.\/evil\.txt/);
  for (const bad of ["/abs/evil.txt", "archive\\evil", "C:/evil", "archive/./x", "archive/a\u0001"])
    refuses(zip({ "archive/data.pkl": pkl(0x80, 2, 0x7d, 0x2e), [bad]: "x" }), "E_ZIP_NAME", /unsafe name/);
  refuses(zip({ "archive/data.pkl": pkl(0x80, 2, 0x7d, 0x2e), "archive/version": "3\n", "archive/data.pkl\u0000": "" }), "E_ZIP_NAME", /unsafe name/);
});

test("SEC-4: compressed records are refused without inflating; truncated archives say 'truncated'", () => {
  const before = process.memoryUsage().arrayBuffers;
  refuses(fx("mal_zip_deflate_ratio.pt"), "E_ZIP_STRUCTURE", /DEFLATE \(method 8\); only STORED records are accepted/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, "nothing was inflated");
  refuses(fx("mal_truncated.pt"), "E_ZIP_STRUCTURE", /truncated/);
  // every cut of a good file is refused, never misread
  const good = readFileSync(fx("state_dict_module.pt"));
  for (let cut = 0; cut < good.length; cut += 97) {
    assert.throws(() => torch.load(good.subarray(0, cut)), (e: unknown) => e instanceof CheckpointError, `cut at ${cut}`);
  }
});

test("zip structure: CRC mismatch, duplicate names", () => {
  const good = Buffer.from(readFileSync(fx("state_dict_module.pt")));
  const bad = Buffer.from(good);
  bad[832] = bad[832]! ^ 1; // a byte of data/0 (data offset 832 per the pickletools listing)
  refuses(bad, "E_ZIP_STRUCTURE", /CRC-32 mismatch in record state_dict_module\/data\/0/);
  const cd = zip({ "archive/data.pkl": pkl(0x80, 2, 0x7d, 0x2e), "archive/version": "3\n", "archive/versioN": "3\n" });
  const dupName = Buffer.from(cd.toString("latin1").replaceAll("archive/versioN", "archive/version"), "latin1");
  refuses(dupName, "E_ZIP_NAME", /duplicate zip entry 'archive\/version'/);
});

test("formats: TorchScript, tar, unknown bytes, versions, empty files", () => {
  refuses(zip({ "archive/data.pkl": pkl(0x80, 2, 0x7d, 0x2e), "archive/constants.pkl": pkl(0x80, 2, 0x29, 0x2e), "archive/version": "3\n" }),
    "E_UNSUPPORTED_FORMAT", /TorchScript archive/);
  const tar = Buffer.alloc(1024);
  tar.write("ustar", 257, "latin1");
  refuses(tar, "E_UNSUPPORTED_FORMAT", /legacy \.tar format/);
  refuses(Buffer.from("hello world"), "E_UNSUPPORTED_FORMAT", /not a PyTorch checkpoint/);
  refuses(Buffer.alloc(0), "E_UNSUPPORTED_FORMAT", /empty/);
  refuses(zip({ "archive/data.pkl": pkl(0x80, 2, 0x7d, 0x2e), "archive/version": "7\n" }), "E_UNSUPPORTED_FORMAT", /version "7" is not supported/);
  refuses(zip({ "archive/data.pkl": pkl(0x80, 2, 0x7d, 0x2e) }), "E_UNSUPPORTED_FORMAT", /no archive\/version record/);
  const legacyBadMagic = pkl(0x80, 2, 0x8a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x2e);
  refuses(legacyBadMagic, "E_UNSUPPORTED_FORMAT", /Invalid magic number/);
});

test("pickle structure: wrong targets, underflow, marks, memo, STOP", () => {
  refuses(withPickle(pkl(0x80, 2, 0x29, 0x28, "X", 1, 0, 0, 0, "a", "K", 1, 0x75, 0x2e)), "E_PICKLE_STRUCTURE", /SETITEMS target at offset \d+ .* is tuple, expected dict/);
  refuses(withPickle(pkl(0x80, 2, 0x29, "K", 1, 0x61, 0x2e)), "E_PICKLE_STRUCTURE", /APPEND target .* is tuple, expected list/);
  refuses(withPickle(pkl(0x80, 2, 0x30, 0x2e)), "E_PICKLE_STRUCTURE", /stack underflow in POP/);
  refuses(withPickle(pkl(0x80, 2, 0x74, 0x2e)), "E_PICKLE_STRUCTURE", /TUPLE at offset \d+ .*without a MARK/);
  refuses(withPickle(pkl(0x80, 2, "h", 5, 0x2e)), "E_PICKLE_STRUCTURE", /memo index 5 .* is missing/);
  refuses(withPickle(pkl(0x80, 2, "N", "N", 0x2e)), "E_PICKLE_STRUCTURE", /STOP at offset 4 .* with 2 values on the stack/);
  refuses(withPickle(pkl(0x80, 2, "N")), "E_PICKLE_STRUCTURE", /without STOP: file is truncated/);
  refuses(withPickle(pkl(0x80, 2, "N", "Q", 0x2e)), "E_PICKLE_STRUCTURE", /BINPERSID at pickle offset 3 is None, expected a \('storage', \.\.\.\) tuple/);
  refuses(withPickle(pkl(0x80, 2, "ccollections\nOrderedDict\n", "K", 1, "R", 0x2e)), "E_PICKLE_STRUCTURE", /REDUCE arguments .* are int, expected tuple/);
  refuses(withPickle(pkl(0x80, 2, "]", 0x7d, "b", 0x2e)), "E_PICKLE_STRUCTURE", /BUILD .* on list/);
  refuses(withPickle(pkl(0x80, 2, 0x7d, "]", "K", 1, "s", 0x2e)), "E_PICKLE_STRUCTURE", /unhashable type: 'list'/);
});

test("opcodes outside the data-only set are refused by name", () => {
  refuses(withPickle(pkl(0x80, 2, "i__builtin__\nprint\n", 0x2e)), "E_PICKLE_OPCODE", /0x69 \(INST\) at offset 2/);
  refuses(withPickle(pkl(0x80, 2, 0x28, "o", 0x2e)), "E_PICKLE_OPCODE", /\(OBJ\)/);
  refuses(withPickle(pkl(0x80, 2, "P0\n", 0x2e)), "E_PICKLE_OPCODE", /\(PERSID\)/);
  refuses(withPickle(pkl(0x80, 2, 0x82, 1, 0x2e)), "E_PICKLE_OPCODE", /\(EXT1\)/);
  refuses(withPickle(pkl(0x80, 2, 0x92, 0x2e)), "E_PICKLE_OPCODE", /\(NEWOBJ_EX\)/);
  refuses(withPickle(pkl(0x80, 5, 0x2e)), "E_PICKLE_OPCODE", /protocol 5/);
});

test("limits: lengths past the end, nesting, memo, pickle size", () => {
  refuses(withPickle(pkl(0x80, 2, "X", 0xff, 0xff, 0xff, 0xff, "abc")), "E_LIMIT", /BINUNICODE length 4294967295 at offset 2 .* exceeds remaining 3 bytes/);
  refuses(withPickle(pkl(0x80, 2, 0x8b, 0xff, 0xff, 0, 0, 0x2e)), "E_LIMIT", /LONG4 length 65535/);
  // 5000 nested lists: EMPTY_LIST x5000 then APPEND x4999
  const deep = pkl(0x80, 2, ...Array<number>(5000).fill(0x5d), ...Array<number>(4999).fill(0x61), 0x2e);
  refuses(withPickle(deep), "E_LIMIT", /deeper than 1000/);
  const deepTuples = pkl(0x80, 2, 0x29, ...Array<number>(5000).fill(0x85), 0x2e);
  refuses(withPickle(deepTuples), "E_LIMIT", /nesting deeper than 1000/);
  const memo = pkl(0x80, 2, "N", ...Array.from({ length: 200 }, (_, i) => [0x72, i & 255, i >> 8, 0, 0]).flat(), 0x2e);
  refuses(withPickle(memo), "E_LIMIT", /memo exceeds 100 entries/, { limits: { maxMemo: 100 } });
  refuses(withPickle(pkl(0x80, 2, "N", 0x2e)), "E_LIMIT", /over the 3-byte limit/, { limits: { maxBytes: 3 } });
  // a self-containing list loads as a cycle, not a hang
  const cyc = torch.load(withPickle(pkl(0x80, 2, "]", "q", 0, "h", 0, "a", 0x2e))) as unknown[];
  assert.equal(cyc[0], cyc);
});

test("tensor rebuild arguments are checked: dtypes, keys, locations, requires_grad", () => {
  const t = (storage: string, key: string, loc: string, numel: number, rg = 0x89): Uint8Array => pkl(
    0x80, 2, "ctorch._utils\n_rebuild_tensor_v2\n", 0x28, 0x28, "X", 7, 0, 0, 0, "storage", `ctorch\n${storage}\n`,
    "X", key.length, 0, 0, 0, key, "X", loc.length, 0, 0, 0, loc, "K", numel, 0x74, "Q",
    "K", 0, "K", 1, 0x85, "K", 1, 0x85, rg, "ccollections\nOrderedDict\n", 0x29, "R", 0x74, "R", 0x2e);
  const rec = (p: Uint8Array, data: Uint8Array): Buffer => zip({ "archive/data.pkl": p, "archive/data/0": data, "archive/version": "3\n" });
  assert.deepEqual((torch.load(rec(t("FloatStorage", "0", "cpu", 1), new Uint8Array(4))) as torch.Tensor).tolist(), [0]);
  refuses(rec(t("ComplexFloatStorage", "0", "cpu", 1), new Uint8Array(8)), "E_STORAGE", /ComplexFloatStorage .* is not supported/);
  refuses(rec(t("FloatStorage", "1", "cpu", 1), new Uint8Array(4)), "E_STORAGE", /has no record data\/1/);
  refuses(rec(t("FloatStorage", "0", "cpu", 2), new Uint8Array(4)), "E_STORAGE", /declares 2 float32 elements \(8 bytes\) but record data\/0 has 4 bytes/);
  refuses(rec(t("FloatStorage", "0", "cuda:0", 1), new Uint8Array(4)), "E_DEVICE", /CUDA device/);
  refuses(rec(t("FloatStorage", "0", "cp u", 1), new Uint8Array(4)), "E_STORAGE", /invalid location/);
  refuses(rec(t("LongStorage", "0", "cpu", 1, 0x88), new Uint8Array(8)), "E_PICKLE_STRUCTURE", /only floating point tensors can require gradients/);
  assert.ok(torch.load(rec(t("FloatStorage", "0", "cuda:0", 1), new Uint8Array(4)), { mapLocation: "cpu" }));
});

test("SEC-7: the serialization sources never reach eval, Function, require or import()", () => {
  // compiled tests live in dist/test/serialization; the TypeScript sources in src/serialization
  let root = dirname(fileURLToPath(import.meta.url));
  while (!readdirSync(root).includes("package.json")) root = dirname(root);
  const dir = join(root, "src", "serialization");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length >= 8, `found ${files.length} sources in ${dir}`);
  for (const f of files) {
    const src = readFileSync(join(dir, f), "utf8").split("\n").filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l)).join("\n");
    assert.doesNotMatch(src, /\beval\s*\(/, `${f}: eval`);
    assert.doesNotMatch(src, /\bnew\s+Function\b|\bFunction\s*\(/, `${f}: Function`);
    assert.doesNotMatch(src, /\brequire\s*\(|createRequire/, `${f}: require`);
    assert.doesNotMatch(src, /\bimport\s*\(/, `${f}: import()`);
    assert.doesNotMatch(src, /\b(unsafe|trusted)\w*\s*[:=?]/i, `${f}: an unsafe/trusted option`);
  }
});
