// SPDX-License-Identifier: BSD-3-Clause
// torch.safetensors: the safetensors format (reliability.md §2.4) with every rule of the Rust
// reference reader (header cap, contiguous non-overlapping offsets, exact byte spans, no trailing
// bytes) plus duplicate-key refusal. The writer lays files out as the Rust writer does (tensors by
// descending alignment then name, header padded with spaces to 8 bytes).
import * as fs from "node:fs";
import { CheckpointError } from "./errors.js";
import { atomicWriteAsync, atomicWriteSync } from "./atomic.js";
import { JsonNumber, JsonObject, JsonSyntaxError, type JsonValue, parseStrictJson } from "./strict-json.js";
import { typedFromBytes } from "./load.js";
import { Tensor } from "../tensor/tensor.js";
import { Storage } from "../tensor/storage.js";
import { type DType, ITEMSIZE } from "../tensor/dtype.js";
import { contiguousStrides } from "../tensor/layout.js";
import { ValueError } from "../errors.js";

export const MAX_HEADER_SIZE = 100_000_000;

/** The safetensors dtype names, closed: anything else is refused. */
const KNOWN = new Set(["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]);
const FROM_ST: Record<string, DType> = {
  BOOL: "bool", U8: "uint8", I8: "int8", I16: "int16", F16: "float16", BF16: "bfloat16", I32: "int32", F32: "float32", F64: "float64", I64: "int64",
};
const TO_ST: Record<DType, string> = {
  bool: "BOOL", uint8: "U8", int8: "I8", int16: "I16", float16: "F16", bfloat16: "BF16", int32: "I32", float32: "F32", float64: "F64", int64: "I64",
};

export type TensorDict = Record<string, Tensor>;
export type Metadata = Record<string, string>;

const stError = (message: string, entry?: string, offset?: number): CheckpointError =>
  new CheckpointError("E_SAFETENSORS", message, { entry, offset });

interface Info { name: string; dtype: DType; shape: number[]; begin: number; end: number }

const q = (s: string): string => JSON.stringify(s);

/** Validates a safetensors buffer and returns its tensors' descriptions and metadata. */
function parseHeader(buf: Uint8Array): { infos: Info[]; metadata: Metadata | null; dataStart: number } {
  if (buf.length < 8) throw stError(`HeaderTooSmall: a safetensors file is at least 8 bytes, this one is ${buf.length}`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const n = dv.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) throw stError(`HeaderTooLarge: header length ${n} exceeds the ${MAX_HEADER_SIZE}-byte limit`, undefined, 0);
  const hlen = Number(n);
  if (8 + hlen > buf.length) throw stError(`InvalidHeaderLength: header length ${hlen} runs past the end of the ${buf.length}-byte file`, undefined, 0);
  let text: string;
  try { text = new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(8, 8 + hlen)); } catch {
    throw stError("InvalidHeader: header is not valid UTF-8", undefined, 8);
  }
  let json: JsonValue;
  try { json = parseStrictJson(text.replace(/ +$/, "")); } catch (e) {
    if (e instanceof JsonSyntaxError && e.duplicateKey !== undefined)
      throw stError(`InvalidHeaderDeserialization: duplicate tensor name ${q(e.duplicateKey)} in the header`, e.duplicateKey, 8 + e.position);
    throw stError(`InvalidHeaderDeserialization: ${(e as Error).message}`, undefined, 8);
  }
  if (!(json instanceof JsonObject)) throw stError("InvalidHeaderDeserialization: header is not a JSON object", undefined, 8);
  let metadata: Metadata | null = null;
  const infos: Info[] = [];
  const dataLen = buf.length - 8 - hlen;
  for (const [name, v] of json.entries) {
    if (name === "__metadata__") {
      if (!(v instanceof JsonObject)) throw stError("InvalidHeaderDeserialization: __metadata__ must be an object of strings", name);
      metadata = {};
      for (const [k, x] of v.entries) {
        if (typeof x !== "string") throw stError(`InvalidHeaderDeserialization: __metadata__ value for ${q(k)} is not a string`, name);
        Object.defineProperty(metadata, k, { value: x, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    if (!(v instanceof JsonObject)) throw stError(`InvalidHeaderDeserialization: tensor ${q(name)} is not an object`, name);
    const dt = v.entries.get("dtype"), shape = v.entries.get("shape"), offs = v.entries.get("data_offsets");
    if (typeof dt !== "string") throw stError(`InvalidHeaderDeserialization: tensor ${q(name)} has no dtype`, name);
    if (!KNOWN.has(dt)) throw stError(`InvalidHeaderDeserialization: tensor ${q(name)} has unknown dtype ${q(dt)}`, name);
    const dtype = FROM_ST[dt];
    if (dtype === undefined) throw stError(`tensor ${q(name)} has dtype ${dt}, which torchts does not support`, name);
    const ints = (a: JsonValue | undefined, what: string): bigint[] => {
      if (!Array.isArray(a)) throw stError(`InvalidHeaderDeserialization: tensor ${q(name)} has no ${what} list`, name);
      return a.map((x) => {
        if (!(x instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(x.text)) throw stError(`InvalidHeaderDeserialization: tensor ${q(name)} ${what} holds ${x instanceof JsonNumber ? x.text : JSON.stringify(x)}, not a non-negative integer`, name);
        return BigInt(x.text);
      });
    };
    const shape_ = ints(shape, "shape");
    const offs_ = ints(offs, "data_offsets");
    if (offs_.length !== 2) throw stError(`InvalidHeaderDeserialization: tensor ${q(name)} data_offsets must hold 2 numbers`, name);
    if (shape_.length > 64) throw stError(`tensor ${q(name)} has ${shape_.length} dimensions; at most 64 are accepted`, name);
    let bytes = BigInt(ITEMSIZE[dtype]);
    for (const s of shape_) {
      bytes *= s;
      if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw stError(`ValidationOverflow: tensor ${q(name)} shape [${shape_.join(", ")}] times ${ITEMSIZE[dtype]} bytes overflows`, name);
    }
    const [b, e] = offs_ as [bigint, bigint];
    if (e < b) throw stError(`InvalidOffset: tensor ${q(name)} data_offsets [${b},${e}] end before they begin`, name);
    if (e > BigInt(dataLen)) throw stError(`MetadataIncompleteBuffer: tensor ${q(name)} data_offsets [${b},${e}] run past the ${dataLen} data bytes in the file`, name);
    if (e - b !== bytes) throw stError(`TensorInvalidInfo: tensor ${q(name)} of dtype ${dt} and shape [${shape_.join(", ")}] needs ${bytes} bytes but data_offsets [${b},${e}] span ${e - b}`, name);
    infos.push({ name, dtype, shape: shape_.map(Number), begin: Number(b), end: Number(e) });
  }
  const sorted = [...infos].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = 0, prev: Info | null = null;
  for (const t of sorted) {
    if (t.begin < at) throw stError(`InvalidOffset: tensor ${q(t.name)} data_offsets [${t.begin},${t.end}] overlaps previous tensor ${q(prev!.name)} ending at ${at}`, t.name);
    if (t.begin > at) throw stError(`InvalidOffset: tensor ${q(t.name)} data_offsets [${t.begin},${t.end}] leave a gap after ${prev ? `previous tensor ${q(prev.name)} ending at ${at}` : "the start of the data"}`, t.name);
    at = t.end;
    prev = t;
  }
  if (at !== dataLen) {
    throw stError(`MetadataIncompleteBuffer: ${dataLen - at} trailing bytes after ${prev ? `tensor ${q(prev.name)} (data ends at ${at})` : "the header"}`, prev?.name, 8 + hlen + at);
  }
  return { infos, metadata, dataStart: 8 + hlen };
}

function build(buf: Uint8Array, zeroCopy: boolean): { tensors: TensorDict; metadata: Metadata | null } {
  const { infos, metadata, dataStart } = parseHeader(buf);
  const tensors: TensorDict = {};
  for (const t of infos) {
    const data = typedFromBytes(t.dtype, buf.subarray(dataStart + t.begin, dataStart + t.end), zeroCopy);
    Object.defineProperty(tensors, t.name, { value: new Tensor(new Storage(data), t.shape, contiguousStrides(t.shape), 0, t.dtype), enumerable: true, writable: true, configurable: true });
  }
  return { tensors, metadata };
}

function checkDevice(opts: { device?: string }): void {
  const d = opts.device ?? "cpu";
  if (d !== "cpu") throw new CheckpointError("E_DEVICE", `safetensors: torchts can only load to the CPU (asked for ${q(String(d))})`);
}

/** safetensors.torch.load(data): tensors from bytes (copied out of `data`). */
export function load(data: Uint8Array): TensorDict {
  return build(data, false).tensors;
}

/** safetensors.torch.load_file(filename, device="cpu"): tensors view the file's buffer where aligned. */
export function loadFile(filename: string, opts: { device?: string } = {}): TensorDict {
  checkDevice(opts);
  return build(fs.readFileSync(filename), true).tensors;
}

/** The `__metadata__` of a safetensors file or buffer (safe_open(...).metadata()), validated like load. */
export function metadata(file: string | Uint8Array): Metadata | null {
  return parseHeader(typeof file === "string" ? fs.readFileSync(file) : file).metadata;
}

function entriesOf(tensors: TensorDict | Map<string, Tensor>): [string, Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

/** safetensors.torch.save(tensors, metadata=None) -> bytes. */
export function save(tensors: TensorDict | Map<string, Tensor>, metadata: Metadata | null = null): Buffer {
  const list = entriesOf(tensors);
  for (const [name, t] of list) {
    if (!(t instanceof Tensor)) throw new ValueError(`Key \`${name}\` is invalid, expected torch.Tensor but received ${typeof t}`);
    if (t.device.type !== "cpu") throw new ValueError(`Key \`${name}\` is on ${t.device}; only CPU tensors can be saved`);
    if (!t.isContiguous())
      throw new ValueError(`You are trying to save a non contiguous tensor: \`${name}\` which is not allowed. It either means you are trying to save tensors which are reference of each other in which case it's recommended to save only the full tensors, and reslice at load time, or simply call \`.contiguous()\` on your tensor to pack it before saving.`);
  }
  if (metadata !== null) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") throw new ValueError(`metadata value for ${q(k)} must be a string`);
  }
  list.sort(([an, a], [bn, b]) => b.itemsize - a.itemsize || (an < bn ? -1 : an > bn ? 1 : 0));
  const parts: string[] = [];
  if (metadata !== null && Object.keys(metadata).length > 0)
    parts.push(`"__metadata__":{${Object.entries(metadata).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`);
  let off = 0;
  const datas: Uint8Array[] = [];
  for (const [name, t] of list) {
    const n = t.nbytes;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${TO_ST[t.dtype]}","shape":[${t._shape.join(",")}],"data_offsets":[${off},${off + n}]}`);
    const d = t._storage.data;
    datas.push(new Uint8Array(d.buffer, d.byteOffset + t._offset * t.itemsize, n));
    off += n;
  }
  let header = Buffer.from(`{${parts.join(",")}}`, "utf8");
  const pad = (8 - (header.length % 8)) % 8;
  if (pad) header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, ...datas]);
}

/** safetensors.torch.save_file(tensors, filename, metadata=None), written atomically. */
export function saveFile(tensors: TensorDict | Map<string, Tensor>, filename: string, metadata: Metadata | null = null): void {
  const bytes = save(tensors, metadata);
  atomicWriteSync(filename, (sink) => sink(bytes));
}

/** saveFile without blocking the event loop. */
export async function saveFileAsync(tensors: TensorDict | Map<string, Tensor>, filename: string, metadata: Metadata | null = null): Promise<void> {
  await atomicWriteAsync(filename, [save(tensors, metadata)]);
}

/** loadFile reading the file without blocking the event loop. */
export async function loadFileAsync(filename: string, opts: { device?: string } = {}): Promise<TensorDict> {
  checkDevice(opts);
  return build(await fs.promises.readFile(filename), true).tensors;
}
