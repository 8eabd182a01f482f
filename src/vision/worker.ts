// SPDX-License-Identifier: BSD-3-Clause
// The worker behind sync.ts: image codecs (sharp) and downloads, answered on a MessagePort.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { decodeRaw, encodeRaw } from "./codec.js";
import { downloadFile } from "./datasets/fetch.js";

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };

parentPort!.on("message", (req: { op: string; [k: string]: unknown }) => {
  const work: Promise<unknown> = req.op === "decode" ? decodeRaw(req.bytes as Uint8Array, req.mode as "RGB")
    : req.op === "encode" ? encodeRaw(req.img as Parameters<typeof encodeRaw>[0], req.format as "png", req.opts as object)
    : req.op === "download" ? downloadFile(req.urls as string[], req.dest as string, req.md5 as string | undefined, req.progress as boolean)
    : Promise.reject(new Error(`unknown request ${req.op}`));
  work.then((result) => port.postMessage({ result }), (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) }))
    .finally(() => { Atomics.store(signal, 0, 1); Atomics.notify(signal, 0); });
});
