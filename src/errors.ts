// SPDX-License-Identifier: BSD-3-Clause
// PyTorch's exception types. Messages are PyTorch's words; the class says which Python
// exception PyTorch raises (RuntimeError, IndexError), so ported `except` logic maps 1:1.

/** PyTorch's RuntimeError: shape mismatches, invalid views, unsupported dtypes, ... */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}

/** PyTorch's IndexError: indices and dims out of range. A RangeError, so `instanceof RangeError` works. */
export class IndexError extends RangeError {
  override name = "IndexError";
}

/** Python's ValueError (e.g. a zero or negative slice step). A RangeError, so `instanceof RangeError` works. */
export class ValueError extends RangeError {
  override name = "ValueError";
}

/** Python's NotImplementedError (a RuntimeError subclass in Python too): modes PyTorch refuses that way. */
export class NotImplementedError extends RuntimeError {
  override name = "NotImplementedError";
}

/** Python's AssertionError: checks PyTorch makes with `assert` ("Torch not compiled with CUDA enabled", attention shapes). */
export class AssertionError extends Error {
  override name = "AssertionError";
}

/** Python's KeyError (missing module/parameter names). */
export class KeyError extends Error {
  override name = "KeyError";
}

/** Python's AttributeError. */
export class AttributeError extends Error {
  override name = "AttributeError";
}
