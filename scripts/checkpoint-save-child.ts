// SPDX-License-Identifier: BSD-3-Clause
// Child process of test/serialization/atomic.test.ts: allocates a checkpoint of about `mb` MB,
// says "ready", waits for a tag on stdin, fills every element with it, says "saving", saves over
// `target`, says "done". The test SIGKILLs it at random moments during the save and checks that
// the target always loads as the old or the new checkpoint.
// Usage: node dist/scripts/checkpoint-save-child.js <target> <mb>   (then write "<tag>\n" to stdin)
import * as torch from "../src/index.js";

const [target, mb] = process.argv.slice(2);
if (target === undefined || mb === undefined) {
  process.stderr.write("usage: checkpoint-save-child.js <target> <mb>\n");
  process.exit(2);
}
const n = Math.floor((Number(mb) * 1024 * 1024) / 4 / 2);
const a = torch.empty([n]), b = torch.empty([n]);
process.stdout.write("ready\n");
let input = "";
process.stdin.on("data", (d: Buffer) => {
  input += d.toString();
  if (!input.includes("\n")) return;
  const tag = Number(input.trim());
  a.fill_(tag);
  b.fill_(tag);
  process.stdout.write("saving\n");
  torch.save({ a, b, tag }, target);
  process.stdout.write("done\n");
  process.exit(0);
});
