// SPDX-License-Identifier: BSD-3-Clause
// CKPT-W1: files written by torchts load in real PyTorch. The committed torchts_*.pt fixtures were
// checked once with scripts/check_torchts_checkpoints.py (Debian's PyTorch 1.13); this test checks
// that the writer still produces exactly those bytes, that they load back here to their
// description, and, where /usr/bin/python3 has torch, runs the PyTorch check on fresh files.
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { fixturePath } from "../helpers.js";
import { type Desc, buildCheckpoints, describe } from "../../scripts/write-torchts-checkpoints.js";

const checkpoints = buildCheckpoints();

/** A loaded Python float that happens to be integral is a JS number: compare it as the int it reads as. */
function normalize(d: Desc): Desc {
  if (Array.isArray(d)) return d.map(normalize);
  if (d !== null && typeof d === "object") {
    const f = d["float"];
    if (Object.keys(d).length === 1 && typeof f === "number" && Number.isSafeInteger(f)) return { int: String(f) };
    return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, normalize(v)]));
  }
  return d;
}

for (const name of Object.keys(checkpoints)) {
  test(`${name}.pt: the writer reproduces the PyTorch-checked fixture byte for byte, and it loads back`, () => {
    const dir = mkdtempSync(join(tmpdir(), "torchts-interop-"));
    try {
      const file = join(dir, `${name}.pt`);
      torch.save(checkpoints[name], file);
      const committed = readFileSync(fixturePath(`checkpoints/${name}.pt`));
      assert.ok(readFileSync(file).equals(committed), `${name}.pt differs from the committed fixture; rerun scripts/write-torchts-checkpoints and check_torchts_checkpoints.py`);
      const expected = JSON.parse(readFileSync(fixturePath(`checkpoints/${name}.expected.json`), "utf8")) as Desc;
      assert.deepEqual(describe(checkpoints[name]), expected);
      assert.deepEqual(normalize(describe(torch.load(fixturePath(`checkpoints/${name}.pt`), { weightsOnly: false }))), normalize(expected));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const python = "/usr/bin/python3";
const hasTorch = spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0;

test("PyTorch loads checkpoints written by torchts (scripts/check_torchts_checkpoints.py)", { skip: hasTorch ? false : `${python} cannot import torch`, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-pycheck-"));
  try {
    for (const [name, obj] of Object.entries(checkpoints)) {
      torch.save(obj, join(dir, `${name}.pt`));
      writeFileSync(join(dir, `${name}.expected.json`), JSON.stringify(describe(obj)));
    }
    let root = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(root, "package.json"))) root = dirname(root);
    const script = join(root, "scripts", "check_torchts_checkpoints.py");
    const r = spawnSync(python, [script, dir], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.match(/^OK /gm)?.length, Object.keys(checkpoints).length, r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
