// SPDX-License-Identifier: BSD-3-Clause
// How Python values look in JS (docs/serialization.md): tuples are arrays carrying a hidden
// marker, OrderedDicts are plain objects carrying a hidden marker (and `_metadata`), Python
// floats that happen to be integral can be marked for saving.

const TUPLE = Symbol.for("torchts.serialization.tuple");
const ORDERED = Symbol.for("torchts.serialization.OrderedDict");
const FLOAT = Symbol.for("torchts.serialization.float");
const PLAIN = Symbol.for("torchts.serialization.dict");

function hide(obj: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: false, writable: true, configurable: true });
}

/** Marks an array as a Python tuple for torch.save (`torch.serialization.tuple([0.9, 0.999])`). Returns the array. */
export function tuple<T extends unknown[]>(items: T): T {
  hide(items, TUPLE, true);
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** Marks a plain object as a Python OrderedDict (what nn.Module.state_dict() returns). */
export function orderedDict<T extends object>(obj: T, metadata?: unknown): T {
  hide(obj, ORDERED, true);
  if (metadata !== undefined) hide(obj, "_metadata", metadata);
  return obj;
}

export function isOrderedDict(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[ORDERED] === true;
}

/** Marks a plain object as a Python dict (not an OrderedDict), as loaded dicts are. */
export function plainDict<T extends object>(obj: T): T {
  hide(obj, PLAIN, true);
  return obj;
}

export function isPlainDict(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[PLAIN] === true;
}

/** A number that must be written as a Python float even when it is integral (`float(1)` -> `1.0`). */
export class PyFloat {
  readonly [FLOAT] = true;
  constructor(readonly value: number) {}
  valueOf(): number { return this.value; }
}
/** `torch.serialization.float(1)`: saved as Python's `1.0` rather than `1`. */
export const float = (value: number): PyFloat => new PyFloat(value);

/** Defines an own enumerable data property without ever invoking a setter (`__proto__` is just a key). */
export function defineKey(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
