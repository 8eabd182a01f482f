// SPDX-License-Identifier: BSD-3-Clause
// Every op, by family (Tensor methods delegate here).
export * from "./convert.js";
export * from "./creation.js";
export * from "./elementwise.js";
export * from "./indexing.js";
export * from "./join.js";
export * from "./linalg.js";
export * from "./math.js";
export * from "./matrix.js";
export * from "./movement.js";
export * from "./outofplace.js";
export * from "./reduce.js";
export * from "./sorting.js";
