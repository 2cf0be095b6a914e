// Types of the Node.js entry point (node.js). The workflow types (inputs, outcomes,
// steps, effects, errors) come from the wasm-bindgen module's declarations
// (wasm-js/src/types.d.ts, copied into pkg/ by wasm-pack).

import type {
  KuracloudError,
  ModuleInfo,
  PlanEntry,
  Text,
  Workflow as WorkflowClass,
  WorkflowInputs,
  WorkflowName,
  WorkflowOutcomes,
} from './pkg/node/kuracloud.js';

export type * from './pkg/node/kuracloud.js';

/** How `run` performs the effects the module asks for. */
export interface RunOptions {
  /** HTTP; default: the global `fetch`. Redirects are not followed. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Waits between export polls and retries (capped at MAX_SLEEP_MS); default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Progress of long steps (`read`, `students`, `export`, `download`, `mapping`, ...). */
  onProgress?: (progress: { stage: string; done: number; total: number }) => void;
  /** Largest kuraCloud response accepted (default 64 MiB); a larger one is not read. */
  maxResponseBytes?: number;
  /** Stops the run: pending HTTP is aborted, sleeps cut short, the promise rejects. */
  signal?: AbortSignal;
}

/** Runs a workflow to its end: its outcome, or a thrown `KuracloudError`. */
export function run<W extends WorkflowName>(
  workflow: W,
  input: WorkflowInputs[W],
  options?: RunOptions,
): Promise<WorkflowOutcomes[W]>;

/** `{module, version, abi, workflows}`. */
export function info(): ModuleInfo;

/** A text (`{code, params}`) in English, as host-runner prints it (then what kuraCloud said, and details). */
export function renderText(text: Text): string;

/** A plan entry's reason in English, with what an update or a restore changes. */
export function renderReason(entry: Pick<PlanEntry, 'action' | 'reason' | 'changes'>): string;

/** The low-level step machine: `new Workflow()`, `start`, `resume`, `resumeHttp`. */
export type Workflow = WorkflowClass;
/** The low-level step machine. */
export const Workflow: typeof WorkflowClass;

/** Whether `error` is a failed workflow's `KuracloudError`. */
export function isKuracloudError(error: unknown): error is KuracloudError;

export const MAX_SLEEP_MS: number;
export const DEFAULT_MAX_RESPONSE_BYTES: number;
export const MAX_STEPS: number;

declare const kuracloud: {
  run: typeof run;
  info: typeof info;
  renderText: typeof renderText;
  renderReason: typeof renderReason;
  Workflow: typeof Workflow;
};
export default kuracloud;
