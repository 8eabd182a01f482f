// SPDX-License-Identifier: BSD-3-Clause
// torch.serialization.CheckpointError: the one error type every refused checkpoint raises.
// `code` is stable (programs may switch on it); the message names the global, record or offset.

export type CheckpointErrorCode =
  | "E_GLOBAL_NOT_ALLOWED" // a GLOBAL outside the allowlist
  | "E_PICKLE_OPCODE" // an opcode a data-only pickle never needs
  | "E_PICKLE_STRUCTURE" // stack/memo/mark misuse, wrong target types
  | "E_LIMIT" // a length, size, memo or nesting bound exceeded
  | "E_STORAGE" // storage dtype/size/key/location problems
  | "E_VIEW_BOUNDS" // a tensor view reaching outside its storage
  | "E_ZIP_NAME" // an entry or record name that is unsafe or outside the archive prefix
  | "E_ZIP_STRUCTURE" // a malformed, compressed, truncated or inconsistent zip
  | "E_UNSUPPORTED_FORMAT" // TorchScript, tar, unknown magic/version
  | "E_SAFETENSORS" // any safetensors rule
  | "E_DEVICE" // a storage location that cannot be restored here (e.g. CUDA without mapLocation)
  | "E_SAVE"; // an object that cannot be written as a checkpoint

export class CheckpointError extends Error {
  override name = "CheckpointError";
  /** Stable machine-readable reason. */
  readonly code: CheckpointErrorCode;
  /** Byte offset (in the file, or in the pickle for pickle errors) where known. */
  readonly offset: number | undefined;
  /** The zip record (or safetensors tensor) concerned, where known. */
  readonly entry: string | undefined;

  constructor(code: CheckpointErrorCode, message: string, opts: { offset?: number; entry?: string } = {}) {
    super(message);
    this.code = code;
    this.offset = opts.offset;
    this.entry = opts.entry;
  }
}
