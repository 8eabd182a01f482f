// SPDX-License-Identifier: BSD-3-Clause
// Grad modes: torch.no_grad / enable_grad / set_grad_enabled / inference_mode as callbacks
// (API.md rule 6). The mode is restored even when the callback throws.

let gradEnabled = true;
let inference = false;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function isInferenceModeEnabled(): boolean {
  return inference;
}

function withMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    const r = fn();
    if (r instanceof Promise) throw new TypeError("grad-mode callbacks must be synchronous (the mode is global)");
    return r;
  } finally {
    gradEnabled = prev;
  }
}

/** `with torch.no_grad():` -> `torch.noGrad(() => ...)`: ops inside record no graph. */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** `with torch.enable_grad():` -> `torch.enableGrad(() => ...)`. */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

/** `torch.set_grad_enabled(mode)` as a plain call, or with a callback as the context manager. */
export function setGradEnabled(mode: boolean): void;
export function setGradEnabled<T>(mode: boolean, fn: () => T): T;
export function setGradEnabled<T>(mode: boolean, fn?: () => T): T | void {
  if (fn === undefined) {
    gradEnabled = mode;
    return;
  }
  return withMode(mode, fn);
}

/** `with torch.inference_mode():` -> `torch.inferenceMode(() => ...)`: no graph, as noGrad. */
export function inferenceMode<T>(fn: () => T): T;
export function inferenceMode<T>(mode: boolean, fn: () => T): T;
export function inferenceMode<T>(a: boolean | (() => T), b?: () => T): T {
  const mode = typeof a === "boolean" ? a : true;
  const fn = (typeof a === "function" ? a : b)!;
  const prev = inference;
  inference = mode;
  try {
    return mode ? withMode(false, fn) : fn();
  } finally {
    inference = prev;
  }
}

let anomaly = false;
export function isAnomalyEnabled(): boolean {
  return anomaly;
}
/** torch.autograd.set_detect_anomaly(mode), as a plain call or around a callback. */
export function setDetectAnomaly(mode: boolean): void;
export function setDetectAnomaly<T>(mode: boolean, fn: () => T): T;
export function setDetectAnomaly<T>(mode: boolean, fn?: () => T): T | void {
  if (fn === undefined) {
    anomaly = mode;
    return;
  }
  const prev = anomaly;
  anomaly = mode;
  try {
    return fn();
  } finally {
    anomaly = prev;
  }
}
/** `with torch.autograd.detect_anomaly():` -> `torch.autograd.detectAnomaly(() => ...)`. */
export function detectAnomaly<T>(fn: () => T): T {
  return setDetectAnomaly(true, fn);
}
