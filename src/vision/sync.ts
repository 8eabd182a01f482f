// SPDX-License-Identifier: BSD-3-Clause
// Synchronous calls into asynchronous work (sharp's codecs, HTTP downloads): one worker thread
// runs the request while this thread waits on a shared flag, then reads the reply with
// receiveMessageOnPort. This is what lets readImage() and `new CIFAR10({ download: true })`
// be synchronous, like torchvision's.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { RuntimeError } from "../errors.js";

let worker: { w: Worker; port: MessagePort; signal: Int32Array } | null = null;

export function callSync<T>(req: object): T {
  if (worker === null) {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const w = new Worker(new URL("./worker.js", import.meta.url), { workerData: { port: port2, signal }, transferList: [port2] });
    w.unref();
    worker = { w, port: port1, signal };
  }
  const { w, port, signal } = worker;
  Atomics.store(signal, 0, 0);
  w.postMessage(req);
  Atomics.wait(signal, 0, 0);
  const msg = receiveMessageOnPort(port)?.message as { result?: T; error?: string } | undefined;
  if (msg === undefined) throw new RuntimeError("worker gave no reply");
  if (msg.error !== undefined) throw new RuntimeError(msg.error);
  return msg.result as T;
}
