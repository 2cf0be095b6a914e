// kuraCloud for browsers (ES module): the wasm-bindgen module (pkg/web, built by
// js/build.sh) and the effect loop. `run` loads the module on first use, from
// pkg/web/kuracloud_bg.wasm next to this file; `load(source)` loads it from elsewhere
// (a URL, a Response, bytes or a WebAssembly.Module).
//
//   import * as kuracloud from 'kuracloud';   // or './web.js'
//   const outcome = await kuracloud.run('students.preview', input, { fetch });

import init, * as bindings from './pkg/web/kuracloud.js';
import { runWith } from './driver.js';

export { MAX_SLEEP_MS, DEFAULT_MAX_RESPONSE_BYTES, MAX_STEPS, isKuracloudError } from './driver.js';

let loading;

/** Loads the module once; later calls return the same promise. */
export function load(source) {
  loading ??= init(source === undefined ? undefined : { module_or_path: source });
  return loading;
}

/** The low-level step machine (usable once `load()` has resolved). */
export const Workflow = bindings.Workflow;

/** `{module, version, abi, workflows}` (once `load()` has resolved). */
export const info = bindings.info;

/** A text (`{code, params}`) in English (once `load()` has resolved). */
export const renderText = bindings.renderText;

/** A plan entry's reason in English (once `load()` has resolved). */
export const renderReason = bindings.renderReason;

/** Runs a workflow to its end: the outcome, or a thrown `KuracloudError`. */
export async function run(workflow, input, options) {
  await load();
  return runWith(bindings, workflow, input, options);
}

export default { run, load, info, renderText, renderReason, Workflow };
