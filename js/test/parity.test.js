// Golden parity: every case in tests/golden/ run through the Node package against the
// sample simulator must give the outcome host-runner gives (the `.expected` files, which
// tests/parity.rs holds host-runner to, and host-runner itself run live on the same
// case), byte for byte once both are serialised the same way: JSON.stringify of the
// outcome as JavaScript reads it (serde_json writes 3.0 where JavaScript writes 3), or
// `error:<code>\n<message>`; the simulator's URL replaced by {{SIM}}.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as kuracloud from '../node.js';
import { startSim, recordingHost, ROOT, HOST_RUNNER } from './sim.js';

const GOLDEN = join(ROOT, 'tests', 'golden');
const cases = readdirSync(GOLDEN)
  .filter((name) => name.endsWith('.json'))
  .sort();

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());

/** An outcome text from host-runner (or a .expected file), serialised as JavaScript does. */
function sameWay(text) {
  return text.startsWith('error:') ? text : JSON.stringify(JSON.parse(text));
}

async function runJs(workflow, input) {
  const host = recordingHost();
  try {
    return { text: JSON.stringify(await kuracloud.run(workflow, input, host.options)), host };
  } catch (error) {
    assert.ok(kuracloud.isKuracloudError(error), `not a KuracloudError: ${error?.stack ?? error}`);
    return { text: `error:${error.code}\n${error.message}`, error, host };
  }
}

/** `host-runner run WORKFLOW --json --input -` (the C ABI module on wasmtime). */
function runHostRunner(workflow, inputText) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      HOST_RUNNER,
      ['run', workflow, '--json', '--input', '-', '--module', join(ROOT, 'dist', 'kuracloud.wasm')],
      { maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        // Exit status 1 is a workflow error or an apply that did not apply everything:
        // the outcome is printed all the same.
        if (error && error.code !== 1) {
          reject(new Error(`host-runner failed (${error.code}): ${stderr}`));
          return;
        }
        const printed = JSON.parse(stdout);
        const failed = printed.error && Object.keys(printed).length === 1 ? printed.error : null;
        resolve({
          text: failed ? `error:${failed.code}\n${failed.message}` : stdout.trimEnd(),
          error: failed,
          stderr,
        });
      },
    );
    child.stdin.end(inputText);
  });
}

test('there are golden cases', () => {
  assert.ok(cases.length >= 10, `only ${cases.length} golden cases`);
});

for (const name of cases) {
  test(`golden ${name}`, async () => {
    const golden = JSON.parse(readFileSync(join(GOLDEN, name), 'utf8'));
    const expected = readFileSync(join(GOLDEN, name.replace(/\.json$/, '.expected')), 'utf8');
    // As tests/parity.rs does: the input's JSON text with {{SIM}} replaced.
    const inputText = JSON.stringify(golden.input).replaceAll('{{SIM}}', sim.url);

    await sim.reset();
    await sim.setup(golden.setup);
    const js = await runJs(golden.workflow, JSON.parse(inputText));
    const jsText = js.text.replaceAll(sim.url, '{{SIM}}');
    assert.equal(jsText, sameWay(expected), `${name}: the Node package differs from ${name.replace(/\.json$/, '.expected')}`);

    await sim.reset();
    await sim.setup(golden.setup);
    const hostRunner = await runHostRunner(golden.workflow, inputText);
    const native = hostRunner.text.replaceAll(sim.url, '{{SIM}}');
    assert.equal(native, expected, `${name}: host-runner live differs from its .expected file`);
    assert.equal(jsText, sameWay(native), `${name}: the Node package differs from host-runner`);
    assert.equal(Boolean(js.error), Boolean(hostRunner.error));
    if (js.error) {
      // The error's text code and parameters, and its English as host-runner prints it.
      assert.deepEqual(js.error.text, hostRunner.error.text);
      assert.equal(`error: ${js.error.code}: ${kuracloud.renderText(js.error.text)}`, hostRunner.stderr.trimEnd());
    }
  });
}
