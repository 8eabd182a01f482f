// SPDX-License-Identifier: BSD-3-Clause
// torch.nn.utils.rnn: PackedSequence, padSequence, packPaddedSequence, padPackedSequence,
// packSequence, unpadSequence, unpackSequence. Packing and padding are differentiable (narrow,
// cat, indexSelect), so gradients flow back to the padded inputs.
import { RuntimeError, ValueError } from "../../errors.js";
import { full, tensor } from "../../ops/creation.js";
import { cat, stack } from "../../ops/join.js";
import { sort } from "../../ops/sorting.js";
import { Tensor } from "../../tensor/tensor.js";
import { isOptions } from "../functional/util.js";

/** A packed batch of variable-length sequences; iterable as PyTorch's namedtuple (data, batch_sizes, sorted_indices, unsorted_indices). */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;

  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices ?? (sortedIndices !== null ? invertPermutation(sortedIndices) : null);
  }

  *[Symbol.iterator](): IterableIterator<Tensor | null> {
    yield this.data; yield this.batchSizes; yield this.sortedIndices; yield this.unsortedIndices;
  }

  /** batchSizes as numbers. */
  _batchSizes(): number[] { return (this.batchSizes.tolist() as number[]).map(Number); }

  get isCuda(): boolean { return this.data.device.type === "cuda"; }

  to(...args: Parameters<Tensor["to"]>): PackedSequence {
    const data = this.data.to(...args);
    if (data === this.data) return this;
    const dev = String(data.device);
    return new PackedSequence(data, this.batchSizes, this.sortedIndices?.to(dev) ?? null, this.unsortedIndices?.to(dev) ?? null);
  }

  toString(): string {
    return `PackedSequence(data=${String(this.data)}, batch_sizes=${String(this.batchSizes)}, sorted_indices=${String(this.sortedIndices ?? "None")}, unsorted_indices=${String(this.unsortedIndices ?? "None")})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
}

function invertPermutation(p: Tensor): Tensor {
  const idx = (p.tolist() as number[]).map(Number);
  const out = new Array<number>(idx.length);
  idx.forEach((v, i) => { out[v] = i; });
  return tensor(out, { dtype: "int64", device: p.device });
}

const lengthsOf = (lengths: Tensor | readonly number[]): number[] =>
  (lengths instanceof Tensor ? (lengths.tolist() as number[]) : [...lengths]).map(Number);

export interface PackPaddedOptions { batchFirst?: boolean; enforceSorted?: boolean }

/** packPaddedSequence(input, lengths, batchFirst = false, enforceSorted = true): input (T, B, *) or (B, T, *). */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], batchFirst: boolean | PackPaddedOptions = false, enforceSorted = true): PackedSequence {
  if (isOptions(batchFirst)) ({ batchFirst = false, enforceSorted = true } = batchFirst as PackPaddedOptions);
  const bf = batchFirst as boolean;
  let lens = lengthsOf(lengths);
  let sortedIndices: Tensor | null = null;
  let x = input;
  if (enforceSorted) {
    for (let i = 1; i < lens.length; i++)
      if (lens[i]! > lens[i - 1]!)
        throw new RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.");
  } else {
    const [sl, si] = sort(tensor(lens, { dtype: "int64" }), { descending: true, stable: true });
    lens = (sl.tolist() as number[]).map(Number);
    sortedIndices = si.to(String(input.device));
    x = input.indexSelect(bf ? 0 : 1, sortedIndices);
  }
  if (bf) x = x.transpose(0, 1);
  const B = x.size(1);
  if (lens.length !== B) throw new RuntimeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B})`);
  if (B > 0 && lens[B - 1]! <= 0)
    throw new RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  const T = lens[0] ?? 0;
  if (T > x.size(0))
    throw new RuntimeError(`The longest length ${T} is larger than the input's time dimension ${x.size(0)}`);
  const batchSizes: number[] = [];
  const steps: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    let bs = 0;
    while (bs < B && lens[bs]! > t) bs++;
    batchSizes.push(bs);
    steps.push(x.select(0, t).narrow(0, 0, bs));
  }
  return new PackedSequence(cat(steps, 0), tensor(batchSizes, { dtype: "int64" }), sortedIndices, null);
}

export interface PadPackedOptions { batchFirst?: boolean; paddingValue?: number; totalLength?: number | null }

/** padPackedSequence(sequence, batchFirst = false, paddingValue = 0, totalLength = null): [padded, lengths]. */
export function padPackedSequence(sequence: PackedSequence, batchFirst: boolean | PadPackedOptions = false, paddingValue = 0,
  totalLength: number | null = null): [Tensor, Tensor] {
  if (isOptions(batchFirst)) ({ batchFirst = false, paddingValue = 0, totalLength = null } = batchFirst as PadPackedOptions);
  const bs = sequence._batchSizes();
  let T = bs.length;
  if (totalLength !== null) {
    if (totalLength < T)
      throw new ValueError(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${totalLength} and max sequence length being ${T}`);
    T = totalLength;
  }
  const data = sequence.data;
  const B = bs[0] ?? 0;
  const feat = data.shape.slice(1);
  const opts = { dtype: data.dtype, device: data.device };
  const rows: Tensor[] = [];
  let off = 0;
  for (let t = 0; t < T; t++) {
    const b = t < bs.length ? bs[t]! : 0;
    const part = data.narrow(0, off, b);
    off += b;
    rows.push(b === B ? part : cat([part, full([B - b, ...feat], paddingValue, opts)], 0));
  }
  let padded = rows.length > 0 ? stack(rows, 0) : full([0, B, ...feat], paddingValue, opts);
  const lens = new Array<number>(B).fill(0);
  for (const b of bs) for (let i = 0; i < b; i++) lens[i]!++;
  let lengths = tensor(lens, { dtype: "int64" });
  if (sequence.unsortedIndices !== null) {
    padded = padded.indexSelect(1, sequence.unsortedIndices);
    lengths = lengths.indexSelect(0, sequence.unsortedIndices.cpu());
  }
  return [batchFirst ? padded.transpose(0, 1) : padded, lengths];
}

export interface PadSequenceOptions { batchFirst?: boolean; paddingValue?: number; paddingSide?: "right" | "left" }

/** padSequence(sequences, batchFirst = false, paddingValue = 0, paddingSide = "right"): (T, B, *) or (B, T, *). */
export function padSequence(sequences: Iterable<Tensor>, batchFirst: boolean | PadSequenceOptions = false, paddingValue = 0,
  paddingSide: "right" | "left" = "right"): Tensor {
  if (isOptions(batchFirst)) ({ batchFirst = false, paddingValue = 0, paddingSide = "right" } = batchFirst as PadSequenceOptions);
  if (sequences === null || typeof (sequences as Iterable<Tensor>)[Symbol.iterator] !== "function")
    throw new RuntimeError(`pad_sequence: Expected iterable for input sequences, but got arg of type: ${typeof sequences}`);
  if (paddingSide !== "right" && paddingSide !== "left")
    throw new ValueError(`Expected padding_side to be one of left or right, but got ${String(paddingSide)}.`);
  const seqs = [...sequences];
  if (seqs.length === 0) throw new RuntimeError("received an empty list of sequences");
  const T = Math.max(...seqs.map((s) => s.size(0)));
  const padded = seqs.map((s) => {
    const n = s.size(0);
    if (n === T) return s;
    const pad = full([T - n, ...s.shape.slice(1)], paddingValue, { dtype: s.dtype, device: s.device });
    return paddingSide === "right" ? cat([s, pad], 0) : cat([pad, s], 0);
  });
  return stack(padded, batchFirst ? 0 : 1);
}

/** packSequence(sequences, enforceSorted = true). */
export function packSequence(sequences: readonly Tensor[], enforceSorted: boolean | { enforceSorted?: boolean } = true): PackedSequence {
  const es = isOptions(enforceSorted) ? ((enforceSorted as { enforceSorted?: boolean }).enforceSorted ?? true) : enforceSorted as boolean;
  const lengths = sequences.map((s) => s.size(0));
  return packPaddedSequence(padSequence(sequences), lengths, { enforceSorted: es });
}

/** unpadSequence(paddedSequences, lengths, batchFirst = false): the list of unpadded sequences. */
export function unpadSequence(paddedSequences: Tensor, lengths: Tensor | readonly number[], batchFirst: boolean | { batchFirst?: boolean } = false): Tensor[] {
  const bf = isOptions(batchFirst) ? ((batchFirst as { batchFirst?: boolean }).batchFirst ?? false) : batchFirst as boolean;
  const x = bf ? paddedSequences : paddedSequences.transpose(0, 1);
  return lengthsOf(lengths).map((n, i) => x.select(0, i).narrow(0, 0, n));
}

/** unpackSequence(packedSequences): the list of sequences. */
export function unpackSequence(packedSequences: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packedSequences, { batchFirst: true });
  return unpadSequence(padded, lengths, { batchFirst: true });
}
