// Types of the browser entry point (web.js): as node.js, plus `load`.

import type { RunOptions } from './index.js';
import type {
  KuracloudError,
  ModuleInfo,
  PlanEntry,
  Text,
  Workflow as WorkflowClass,
  WorkflowInputs,
  WorkflowName,
  WorkflowOutcomes,
} from './pkg/web/kuracloud.js';

export type * from './pkg/web/kuracloud.js';
export type { RunOptions } from './index.js';

/**
 * Loads the module once (later calls return the same promise): by default from
 * pkg/web/kuracloud_bg.wasm beside web.js, else from a URL, a Response, bytes or a
 * WebAssembly.Module.
 */
export function load(source?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<unknown>;

/** Runs a workflow to its end (loading the module first): its outcome, or a thrown `KuracloudError`. */
export function run<W extends WorkflowName>(
  workflow: W,
  input: WorkflowInputs[W],
  options?: RunOptions,
): Promise<WorkflowOutcomes[W]>;

/** `{module, version, abi, workflows}` (once `load()` has resolved). */
export function info(): ModuleInfo;

/** A text (`{code, params}`) in English, as host-runner prints it (then what kuraCloud said, and details). */
export function renderText(text: Text): string;

/** A plan entry's reason in English, with what an update or a restore changes. */
export function renderReason(entry: Pick<PlanEntry, 'action' | 'reason' | 'changes'>): string;

/** The low-level step machine: `new Workflow()`, `start`, `resume`, `resumeHttp`. */
export type Workflow = WorkflowClass;
/** The low-level step machine (once `load()` has resolved). */
export const Workflow: typeof WorkflowClass;

export function isKuracloudError(error: unknown): error is KuracloudError;

export const MAX_SLEEP_MS: number;
export const DEFAULT_MAX_RESPONSE_BYTES: number;
export const MAX_STEPS: number;

declare const kuracloud: {
  run: typeof run;
  load: typeof load;
  info: typeof info;
  renderText: typeof renderText;
  renderReason: typeof renderReason;
  Workflow: typeof Workflow;
};
export default kuracloud;
