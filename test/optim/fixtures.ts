// SPDX-License-Identifier: BSD-3-Clause
// Reading test/fixtures/optim.json (scripts/gen_optim_fixtures.py, PyTorch 1.13) for the optim tests.
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { loadFixture } from "../helpers.js";

export interface TensorJson { dtype: torch.DType; shape: number[]; data: number[] }
export interface StateDictJson {
  state: Record<string, Record<string, TensorJson | number | null>>;
  param_groups: Record<string, unknown>[];
}
export interface OptimizerCase {
  cls: string;
  kwargs: Record<string, unknown>;
  two_groups: boolean;
  trajectory: TensorJson[][];
  snapshot: StateDictJson;
  state_dict: StateDictJson;
}
export interface SchedulerCase {
  cls: string;
  lrs: number[][];
  momentums: number[][];
  last_lr: number[] | null;
  last_epoch: number | null;
}
export interface OptimFixture {
  steps: number;
  snapshot: number;
  initial: TensorJson[];
  grads: TensorJson[][];
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
  metrics: number[];
  fractional_epochs: number[];
}

export const fixture = loadFixture<OptimFixture>("optim.json");

export function isTensorJson(v: unknown): v is TensorJson {
  return typeof v === "object" && v !== null && "dtype" in v && "data" in v;
}

export function fromJson(t: TensorJson): torch.Tensor {
  const flat = torch.tensor(t.data, { dtype: t.dtype });
  return t.shape.length === 0 ? flat.reshape([]) : flat.reshape(t.shape);
}

/** torch.testing.assert_close's default tolerances for the dtype. */
export function assertClose(actual: torch.Tensor, expected: TensorJson, what: string): void {
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const [rtol, atol] = expected.dtype === "float64" ? [1e-7, 1e-7] : [1.3e-6, 1e-5];
  const got = actual.reshape(-1).tolist() as number[];
  got.forEach((g, i) => {
    const e = expected.data[i]!;
    assert.ok(Math.abs(g - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: got ${g}, PyTorch ${e}`);
  });
}

/** The fixture's Python keyword arguments as this port's options object. */
export function camelOptions(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { foreach: false };
  for (const [k, v] of Object.entries(kwargs)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}
