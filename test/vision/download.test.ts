// SPDX-License-Identifier: BSD-3-Clause
// Downloads against a local HTTP server on 127.0.0.1 (run in a worker thread, since dataset
// constructors block while they download) serving the small real-format fixture files: mirrors
// tried in order, MD5 verified, no partial file left behind, the error naming every URL.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { CIFAR10, FashionMNIST, utils } from "../../src/vision/datasets/index.js";
import { fixturePath, loadFixture } from "../helpers.js";
import { withFixtureChecksums } from "./common.js";

const fx = loadFixture<{ mnist: { resources: [string, string][] }; cifar: { CIFAR10: any } }>("vision/datasets.json");
let server: Worker, base = "";

before(async () => {
  const root = join(fixturePath("vision/mnist"), "..");
  server = new Worker(`
    const { createServer } = require("node:http");
    const { readFileSync, existsSync } = require("node:fs");
    const { join } = require("node:path");
    const { parentPort, workerData } = require("node:worker_threads");
    const s = createServer((req, res) => {
      const [, kind, ...rest] = req.url.split("/");
      const file = join(workerData.root, ...rest);
      if (kind === "good" && existsSync(file)) { const b = readFileSync(file); res.writeHead(200, { "content-length": b.length }); res.end(b); }
      else if (kind === "corrupt") { res.writeHead(200); res.end("not the file"); }
      else if (kind === "redirect") { res.writeHead(302, { location: "/good/" + rest.join("/") }); res.end(); }
      else { res.writeHead(404, "Not Found"); res.end(); }
    });
    s.listen(0, "127.0.0.1", () => parentPort.postMessage(s.address().port));
  `, { eval: true, workerData: { root } });
  base = `http://127.0.0.1:${await new Promise<number>((r) => server.once("message", r))}`;
});
after(() => server.terminate());

test("MNIST-style download: the first mirror fails, the second serves; files are un-gzipped and read", () => {
  const root = mkdtempSync(join(tmpdir(), "torchts-dl-"));
  const saved = [FashionMNIST.mirrors, FashionMNIST.resources] as const;
  FashionMNIST.mirrors = [`${base}/missing/`, `${base}/redirect/mnist/`];
  FashionMNIST.resources = fx.mnist.resources;
  try {
    const ds = new FashionMNIST({ root, train: false, download: true });
    assert.equal(ds.length, 3);
    const raw = readdirSync(join(root, "FashionMNIST", "raw")).sort();
    assert.deepEqual(raw, ["t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz",
      "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "train-labels-idx1-ubyte.gz"]);
    // already there: no request is made (the mirrors are all bad now)
    FashionMNIST.mirrors = [`${base}/missing/`];
    assert.equal(new FashionMNIST({ root, train: true, download: true }).length, 5);
  } finally {
    [FashionMNIST.mirrors, FashionMNIST.resources] = saved;
  }
});

test("CIFAR10 download: MD5 checked, corrupt and missing URLs named in the error, then success", () => {
  const root = mkdtempSync(join(tmpdir(), "torchts-dl-"));
  const saved = CIFAR10.urls;
  withFixtureChecksums(CIFAR10, fx.cifar.CIFAR10, () => {
    try {
      CIFAR10.urls = [`${base}/corrupt/cifar/${CIFAR10.filename}`, `${base}/missing/${CIFAR10.filename}`];
      writeFileSync(join(root, `${CIFAR10.filename}.part`), "stale partial download");
      assert.throws(() => new CIFAR10({ root, download: true }), (e: Error) => {
        assert.match(e.message, /Error downloading cifar-10-python.tar.gz: every URL failed/);
        assert.match(e.message, new RegExp(`${base}/corrupt/cifar/cifar-10-python.tar.gz: checksum mismatch: expected MD5 ${fx.cifar.CIFAR10.tgz_md5}, got [0-9a-f]{32}`));
        assert.match(e.message, new RegExp(`${base}/missing/cifar-10-python.tar.gz: HTTP Error 404: Not Found`));
        assert.match(e.message, new RegExp(`put it at ${join(root, CIFAR10.filename).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
        return true;
      });
      assert.deepEqual(readdirSync(root), [], "no partial or corrupt file is left");
      CIFAR10.urls = [`${base}/missing/x.tar.gz`, `${base}/good/cifar/${CIFAR10.filename}`];
      const ds = new CIFAR10({ root, train: true, download: true });
      assert.equal(ds.length, 10);
      assert.ok(existsSync(join(root, "cifar-10-batches-py", "data_batch_5")));
      // a port with nothing listening is a failure like any other
      assert.throws(() => utils.downloadUrl(["http://127.0.0.1:1/nothing.bin"], root, { progress: false }), /127.0.0.1:1\/nothing.bin: fetch failed/);
    } finally {
      CIFAR10.urls = saved;
    }
  });
});
