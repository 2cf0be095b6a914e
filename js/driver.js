// The effect loop shared by the Node.js and browser entry points: start a workflow,
// perform what it asks (HTTP with fetch, sleeps with timers, progress through a
// callback), resume, until it is done. It follows host-runner's loop
// (host-runner/src/driver.rs): the same bound on steps, the same cap on sleeps, the same
// response size limit, no redirects followed.
//
// This file has no imports and only `export function` / `export const` declarations, so
// js/build.sh can also inline it into the classic script examples/web uses.

/** Longest sleep performed for the module, whatever it asks for. */
export const MAX_SLEEP_MS = 60_000;

/** Largest response body accepted by default (64 MiB, as host-runner and the block). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A bound on steps, in case a module misbehaves; real workflows take a few dozen. */
export const MAX_STEPS = 100_000;

/** Whether `error` is a failed workflow (a `KuracloudError` with a `code`). */
export function isKuracloudError(error) {
  return error instanceof Error && error.name === 'KuracloudError' && typeof error.code === 'string';
}

/**
 * Runs `workflow` with `input` through `bindings` (the wasm-bindgen package: its
 * `Workflow` class) and returns the outcome, or throws the workflow's `KuracloudError`.
 * Options: `fetch` (default: the global one), `sleep(ms, signal)` (default: a timer),
 * `onProgress({stage, done, total})`, `maxResponseBytes`, `signal` (an AbortSignal that
 * stops the run).
 */
export async function runWith(bindings, workflow, input, options = {}) {
  const host = {
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    sleep: options.sleep ?? sleepFor,
    onProgress: options.onProgress,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    signal: options.signal,
  };
  const run = new bindings.Workflow();
  try {
    host.signal?.throwIfAborted();
    let step = run.start(workflow, input);
    for (let steps = 0; 'effect' in step; steps++) {
      if (steps >= MAX_STEPS) {
        throw new Error(`the workflow did not finish within ${MAX_STEPS} steps`);
      }
      host.signal?.throwIfAborted();
      const effect = step.effect;
      if (effect.http) {
        const answer = await performHttp(effect.http, host);
        step = answer.transport_error
          ? run.resume(answer)
          : run.resumeHttp(answer.status, answer.body);
      } else if (effect.sleep) {
        await host.sleep(Math.min(effect.sleep.ms, MAX_SLEEP_MS), host.signal);
        step = run.resume({});
      } else if (effect.progress) {
        host.onProgress?.(effect.progress);
        step = run.resume({});
      } else {
        throw new Error(`the module asked for an effect this host does not know: ${Object.keys(effect).join(', ')}`);
      }
    }
    return step.done;
  } finally {
    run.free();
  }
}

function sleepFor(ms, signal) {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function sizeText(bytes) {
  return bytes >= 1048576 && bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes} bytes`;
}

/** Node's error codes (the `cause` of fetch's TypeError) that mean "no connection". */
const CONNECT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'ERR_INVALID_URL', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** `timeout`, `connect` or `other`, with a message, for an error fetch threw. */
function transportError(error) {
  const cause = error?.cause;
  const code = cause?.code ?? error?.code;
  let kind = 'other';
  if (TIMEOUT_CODES.has(code)) {
    kind = 'timeout';
  } else if (CONNECT_CODES.has(code) || (error instanceof TypeError && cause === undefined)) {
    // A browser's fetch says no more than "Failed to fetch" (refused, DNS, TLS, CORS).
    kind = 'connect';
  }
  const detail = cause?.message ? `${error.message}: ${cause.message}` : String(error?.message ?? error);
  return { kind, message: detail };
}

/**
 * Performs one HTTP request: `{status, body: Uint8Array}`, or `{transport_error}` when no
 * answer came (refused, timed out, or a body past the size limit, which is not read to
 * its end).
 */
async function performHttp(call, host) {
  const limit = host.maxResponseBytes;
  const tooLarge = () => ({
    transport_error: {
      kind: 'other',
      message: `the response is larger than ${sizeText(limit)}, the limit for kuraCloud responses`,
    },
  });
  const controller = new AbortController();
  let timedOut = false;
  const timeoutMs = Math.max(1, call.timeout_ms);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort(host.signal.reason);
  host.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await host.fetch(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    const announced = Number(response.headers.get('content-length') ?? '');
    if (Number.isFinite(announced) && announced > limit) {
      await response.body?.cancel().catch(() => {});
      return tooLarge();
    }
    const body = await readBody(response, limit);
    return body === null ? tooLarge() : { status: response.status, body };
  } catch (error) {
    if (host.signal?.aborted) {
      throw host.signal.reason;
    }
    if (timedOut) {
      return { transport_error: { kind: 'timeout', message: `no answer within ${timeoutMs} ms` } };
    }
    return { transport_error: transportError(error) };
  } finally {
    clearTimeout(timer);
    host.signal?.removeEventListener('abort', onAbort);
  }
}

/** The body's bytes, or null once more than `limit` bytes came (the rest is not read). */
async function readBody(response, limit) {
  if (!response.body) {
    return new Uint8Array(0);
  }
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) {
    return chunks[0];
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
