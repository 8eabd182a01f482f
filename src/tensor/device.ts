// SPDX-License-Identifier: BSD-3-Clause
// torch.device: "cpu", "cuda", "cuda:N".
import { RuntimeError } from "../errors.js";

export class Device {
  constructor(readonly type: "cpu" | "cuda" | "meta", readonly index: number | null = null) {}
  toString(): string { return this.index === null ? this.type : `${this.type}:${this.index}`; }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return `device(type='${this.type}'${this.index === null ? "" : `, index=${this.index}`})`; }
  equals(other: DeviceLike): boolean { return String(toDevice(other)) === this.toString(); }
}

export type DeviceLike = Device | string;

const DEVICE_RE = /^(cpu|cuda|meta)(?::(\d+))?$/;

/** torch.device("cuda:0"), torch.device("cuda", 0). */
export function toDevice(d: DeviceLike, index?: number): Device {
  if (d instanceof Device) return d;
  const m = DEVICE_RE.exec(d);
  if (!m) throw new RuntimeError(`Expected one of cpu, cuda, meta device type at start of device string: ${d}`);
  const idx = m[2] !== undefined ? Number(m[2]) : index ?? null;
  return new Device(m[1] as "cpu" | "cuda" | "meta", idx);
}

export function isDeviceLike(v: unknown): v is DeviceLike {
  return v instanceof Device || (typeof v === "string" && DEVICE_RE.test(v));
}
