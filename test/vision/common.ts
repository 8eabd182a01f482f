// SPDX-License-Identifier: BSD-3-Clause
// Shared by test/vision: fixture tensors (scripts/gen_vision_fixtures.py's enc_tensor) and
// element-wise comparison with a tolerance.
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { decodeElement, type Json } from "../helpers.js";
import type { CIFAR10 } from "../../src/vision/datasets/index.js";

export interface Enc { dtype: torch.DType; shape: number[]; values: Json[] }

export function fromEnc(e: Enc): torch.Tensor {
  return torch.tensor(e.values.map((v) => decodeElement(v, e.dtype)) as number[], { dtype: e.dtype }).reshape(e.shape);
}

/** Same shape and dtype, and every element within atol (0: exact). */
export function assertTensor(actual: torch.Tensor, expected: Enc | torch.Tensor, atol = 0, what = ""): void {
  const exp = expected instanceof torch.Tensor ? expected : fromEnc(expected);
  assert.deepEqual(actual.shape, exp.shape, `${what} shape`);
  assert.equal(actual.dtype, exp.dtype, `${what} dtype`);
  const a = actual.double().flatten(), b = exp.double().flatten();
  const diff = a.numel() === 0 ? 0 : (a.sub(b).abs().max().item() as number);
  if (!(diff <= atol)) {
    const bad = (a.sub(b).abs().gt(atol).nonzero().flatten().tolist() as number[]).slice(0, 5);
    assert.fail(`${what}: max |diff| ${diff} > ${atol}; first differing flat indices ${bad.join(", ")}: ` +
      bad.map((i) => `${a.index(i).item()} vs ${b.index(i).item()}`).join(", "));
  }
}

export interface CifarChecksums { tgz_md5: string; train_list: [string, string][]; test_list: [string, string][]; meta_md5: string }

/** Runs `fn` with the CIFAR class's checksums set to those of the small fixture files (until its promise settles, if it returns one). */
export function withFixtureChecksums<R>(C: typeof CIFAR10, f: CifarChecksums, fn: () => R): R {
  const saved = [C.tgzMd5, C.trainList, C.testList, C.meta] as const;
  const restore = () => { [C.tgzMd5, C.trainList, C.testList, C.meta] = saved; };
  C.tgzMd5 = f.tgz_md5; C.trainList = f.train_list; C.testList = f.test_list; C.meta = { ...C.meta, md5: f.meta_md5 };
  let r: R;
  try { r = fn(); } catch (e) { restore(); throw e; }
  if (r instanceof Promise) return r.finally(restore) as R;
  restore();
  return r;
}
