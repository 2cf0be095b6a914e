// kuraCloud for Node.js 18+: the wasm-bindgen module (pkg/node, built by js/build.sh) and
// the effect loop, with HTTP by the global fetch and sleeps by timers.
//
//   import * as kuracloud from 'kuracloud';
//   const outcome = await kuracloud.run('students.preview', input);

import { createRequire } from 'node:module';
import { runWith } from './driver.js';

const require = createRequire(import.meta.url);
const bindings = require('./pkg/node/kuracloud.js');

export { MAX_SLEEP_MS, DEFAULT_MAX_RESPONSE_BYTES, MAX_STEPS, isKuracloudError } from './driver.js';

/** The low-level step machine: `new Workflow()`, `start`, `resume`, `resumeHttp`. */
export const Workflow = bindings.Workflow;

/** `{module, version, abi, workflows}`. */
export const info = bindings.info;

/** A text (`{code, params}`) in English, as host-runner prints it. */
export const renderText = bindings.renderText;

/** A plan entry's reason in English, with what an update or a restore changes. */
export const renderReason = bindings.renderReason;

/** Runs a workflow to its end: the outcome, or a thrown `KuracloudError`. */
export function run(workflow, input, options) {
  return runWith(bindings, workflow, input, options);
}

export default { run, info, renderText, renderReason, Workflow };
