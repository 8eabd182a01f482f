// SPDX-License-Identifier: BSD-3-Clause
// TEMPORARY placeholder: replaced by the PyTorch-compatible generator (in progress this session).
import type { TypedArray } from "./dtype.js";
export class Generator { constructor(readonly device = "cpu") {} manualSeed(_s: number | bigint): this { return this; } }
export const defaultGenerator = new Generator();
export function manualSeed(s: number | bigint): Generator { return defaultGenerator.manualSeed(s); }
export function fillRandom(_k: string, _g: Generator | undefined, _d: TypedArray, _c: number, _o: number, _n: number, _p: number[]): void { throw new Error("random: not landed"); }
export function fillBernoulliTensor(..._a: unknown[]): void { throw new Error("random: not landed"); }
export function randpermInto(..._a: unknown[]): void { throw new Error("random: not landed"); }
export function multinomialInto(..._a: unknown[]): void { throw new Error("random: not landed"); }
