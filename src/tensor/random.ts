// SPDX-License-Identifier: BSD-3-Clause
// torch.Generator, the default CPU generator, and the fills behind rand/randn/randint/randperm/
// bernoulli/multinomial. The generator is PyTorch's (mt19937 plus a cached spare normal sample)
// and the kernels in native/cpu/random.cc reproduce PyTorch 1.13's CPU results bit for bit, so
// torchts.manualSeed(s) followed by the same calls gives the same numbers as torch.manual_seed(s).
//
// A Generator owns its state as bytes laid out exactly like torch.get_rng_state(): getState()
// and setState() are byte copies, and states can be exchanged with PyTorch.
import { getRandomValues } from "node:crypto";

import { native } from "../backends/cpu/native.js";
import type { TypedArray } from "./dtype.js";

/** default_rng_seed_val in c10/core/GeneratorImpl.h: the seed of a fresh torch.Generator(). */
export const DEFAULT_SEED = 67280421310721n;

/** Size in bytes of a generator state (sizeof(CPUGeneratorImplState) in PyTorch). */
export const GENERATOR_STATE_BYTES: number = native.generatorStateBytes as number;
/** The state size PyTorch also accepts: the legacy THGeneratorState, without the float cache. */
const LEGACY_STATE_BYTES = 5048;

/**
 * What randomFill draws (params in brackets):
 * - "uniform" [from, to]: uniform_ (rand is [0, 1]).
 * - "normal" [mean, std]: normal_ on a contiguous tensor (randn is [0, 1]); 16 or more elements
 *   take PyTorch's vectorised Box-Muller fill.
 * - "normalSerial" [mean, std]: normal_ as PyTorch runs it on a non-contiguous tensor: one
 *   cached Box-Muller sample per element, whatever the size.
 * - "randomRange" [from, to]: random_(from, to) and randint, integers in [from, to).
 * - "randomFrom" [from]: random_(from, None), [from, largest value of the dtype]; from = -2^63
 *   takes the full 64-bit range.
 * - "random" []: random_() with no bounds: [0, max] for integers, [0, 2^mantissa] for floats.
 * - "bernoulli" [p], "exponential" [lambd], "cauchy" [median, sigma], "logNormal" [mean, std],
 *   "geometric" [p]: the in-place distributions of the same names.
 */
export type RandomKind =
  | "uniform" | "normal" | "normalSerial" | "randomRange" | "randomFrom" | "random"
  | "bernoulli" | "exponential" | "cauchy" | "logNormal" | "geometric";

const MIN_INT64 = -(1n << 63n);
const TWO_POW_64 = 1n << 64n;

/** torch.manual_seed takes int(seed) in [-2^63, 2^64); negative seeds wrap to uint64. */
function normalizeSeed(seed: number | bigint): bigint {
  let s: bigint;
  if (typeof seed === "bigint") {
    s = seed;
  } else {
    if (typeof seed !== "number" || !Number.isFinite(seed))
      throw new TypeError(`seed must be an integer, got ${String(seed)}`);
    s = BigInt(Math.trunc(seed));
  }
  if (s < MIN_INT64 || s >= TWO_POW_64)
    throw new RangeError(`Overflow when unpacking long: seed ${s} is outside [-2^63, 2^64)`);
  return BigInt.asUintN(64, s);
}

/** c10::detail::getNonDeterministicRandom on the CPU: 64 bits from the system's random source. */
function nonDeterministicSeed(): bigint {
  return getRandomValues(new BigUint64Array(1))[0] ?? 0n;
}

let stateOf: (g: Generator) => Uint8Array;

/**
 * torch.Generator for the CPU.
 *
 * ```ts
 * const g = new Generator().manualSeed(0);
 * const saved = g.getState();
 * // ... draw with g ...
 * g.setState(saved);   // replays the same numbers
 * ```
 */
export class Generator {
  readonly device: string;
  #state: Uint8Array;

  static {
    stateOf = (g) => g.#state;
  }

  constructor(device = "cpu") {
    if (device !== "cpu" && device !== "cpu:0")
      throw new Error(`Generator: device '${device}' has no generator yet; only 'cpu' is supported`);
    this.device = "cpu";
    this.#state = new Uint8Array(GENERATOR_STATE_BYTES);
    native.generatorSeed(this.#state, DEFAULT_SEED);
  }

  /** Generator.manual_seed: reseeds and drops the cached normal sample. */
  manualSeed(seed: number | bigint): this {
    native.generatorSeed(this.#state, normalizeSeed(seed));
    return this;
  }

  /** Generator.seed: reseeds from a non-deterministic source and returns the seed used. */
  seed(): bigint {
    const s = nonDeterministicSeed();
    native.generatorSeed(this.#state, s);
    return s;
  }

  /** Generator.initial_seed: the seed last given to manualSeed/seed (or carried by setState). */
  initialSeed(): bigint {
    return new DataView(this.#state.buffer, this.#state.byteOffset, 8).getBigUint64(0, true);
  }

  /** Generator.get_state: a copy of the state, byte-identical to PyTorch's for the same history. */
  getState(): Uint8Array {
    return this.#state.slice();
  }

  /**
   * Generator.set_state: takes a state from getState() or from torch.get_rng_state()
   * (5056 bytes, or the legacy 5048-byte form), copying it.
   */
  setState(state: Uint8Array): this {
    if (!(state instanceof Uint8Array)) throw new TypeError("setState expects a Uint8Array");
    if (state.length !== GENERATOR_STATE_BYTES && state.length !== LEGACY_STATE_BYTES)
      throw new Error(
        `Expected either a CPUGeneratorImplStateLegacy of size ${LEGACY_STATE_BYTES} or a CPUGeneratorImplState of ` +
        `size ${GENERATOR_STATE_BYTES} but found the input RNG state size to be ${state.length}`,
      );
    const candidate = new Uint8Array(GENERATOR_STATE_BYTES);
    candidate.set(state);  // a legacy state leaves the float cache fields zero: no cached float sample
    native.generatorCheckState(candidate);
    this.#state.set(candidate);
    return this;
  }
}

/**
 * The generator torch functions use when none is passed (torch.default_generator). Like
 * PyTorch's, it starts from a non-deterministic seed (a fresh `new Generator()` starts from
 * DEFAULT_SEED instead); call manualSeed for reproducible runs.
 */
export const defaultGenerator = new Generator();
defaultGenerator.seed();

/** torch.manual_seed: seeds the default generator and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** torch.seed: seeds the default generator non-deterministically and returns the seed. */
export function seed(): bigint {
  return defaultGenerator.seed();
}

/** torch.initial_seed. */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

/** torch.get_rng_state, as bytes. */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/** torch.set_rng_state. */
export function setRngState(state: Uint8Array): void {
  defaultGenerator.setState(state);
}

function packParams(params: readonly (number | bigint)[]): Float64Array | BigInt64Array {
  if (params.some((v) => typeof v === "bigint")) return BigInt64Array.from(params, (v) => BigInt(v));
  return Float64Array.from(params as readonly number[]);
}

/**
 * Fills `numel` contiguous elements of `data` from element `offset` on with draws of `kind`
 * (see RandomKind), in the order PyTorch's CPU kernels produce them. `dtypeCode` is the
 * tensor's DTYPE_CODE; half types are stored as their bits in a Uint16Array. Integer bounds may
 * be bigints where they exceed 2^53.
 *
 * For a non-contiguous tensor, PyTorch's TensorIterator visits the elements in memory order
 * (dimensions sorted by stride, so `x.t().uniform_()` fills the storage front to back), and
 * normal_ always takes the serial kernel: draw numel values here ("normalSerial" for normal_)
 * and scatter them to the elements in that order.
 *
 * ```ts
 * manualSeed(0);
 * const x = new Float32Array(4);
 * fillRandom("uniform", undefined, x, DTYPE_CODE.float32, 0, 4, [0, 1]);  // torch.rand(4)
 * ```
 */
export function fillRandom(
  kind: RandomKind | (string & {}), gen: Generator | undefined, data: TypedArray, dtypeCode: number, offset: number,
  numel: number, params: readonly (number | bigint)[] = [],
): void {
  native.randomFill(kind, stateOf(gen ?? defaultGenerator), data, dtypeCode, offset, numel, packParams(params));
}

/**
 * bernoulli_(p) with a tensor of probabilities: out[i] = 1 with probability probs[i], for
 * `numel` contiguous elements of each array from the given element offsets. float64
 * probabilities draw 53-bit uniforms, the other floating types 24-bit ones, as in PyTorch.
 */
export function fillBernoulliTensor(
  gen: Generator | undefined, out: TypedArray, outDtypeCode: number, probs: TypedArray, probsDtypeCode: number,
  numel: number, outOffset = 0, probsOffset = 0,
): void {
  native.bernoulliTensor(stateOf(gen ?? defaultGenerator), out, outDtypeCode, probs, probsDtypeCode, numel,
    outOffset, probsOffset);
}

/** torch.randperm(n) into `n` contiguous elements of the given dtype, from element `offset` on. */
export function randpermInto(gen: Generator | undefined, out: TypedArray, dtypeCode: number, n: number, offset = 0): void {
  native.randperm(stateOf(gen ?? defaultGenerator), out, dtypeCode, n, offset);
}

/**
 * torch.multinomial over the rows of a contiguous (rows x cols) probability matrix (one row for
 * a 1-D input) starting at element `probsOffset`, writing rows x numSamples int64 category
 * indices to `out` from element `outOffset` on. Probabilities may be float32, float64 or
 * bfloat16 (PyTorch 1.13 has no float16 multinomial on the CPU); pass them in their own dtype,
 * since the dtype changes the draws.
 */
export function multinomialInto(
  gen: Generator | undefined, out: BigInt64Array, probs: TypedArray, probsDtypeCode: number, rows: number,
  cols: number, numSamples: number, replacement: boolean, probsOffset = 0, outOffset = 0,
): void {
  native.multinomial(stateOf(gen ?? defaultGenerator), out, probs, probsDtypeCode, rows, cols, numSamples, replacement,
    probsOffset, outOffset);
}
