// Test helpers: a kuraCloud simulator (host-runner's, as scripts/lib-sim.sh starts it)
// and its control API.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The debug build: scripts/test.sh has built it already (its dependencies are optimized).
export const HOST_RUNNER = process.env.KC_HOST_RUNNER ?? join(ROOT, 'target', 'debug', 'host-runner');
export const TOKEN = 'demo-token';

/** Starts `host-runner sim --port 0`; resolves to `{url, stop()}` once it listens. */
export function startSim() {
  if (!existsSync(HOST_RUNNER)) {
    throw new Error(`${HOST_RUNNER} is missing: cargo build -p kuracloud-host-runner (scripts/test-js.sh does)`);
  }
  const child = spawn(HOST_RUNNER, ['sim', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the simulator did not start:\n${out}`));
    }, 10_000);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the simulator exited (${code}):\n${out}`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^kuraCloud simulator listening on (http\S+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve(new Sim(match[1], child));
      }
    });
  });
}

export class Sim {
  constructor(url, child) {
    this.url = url;
    this.child = child;
  }

  stop() {
    this.child.removeAllListeners('exit');
    this.child.kill();
  }

  conn(token = TOKEN) {
    return { api_url: this.url, token };
  }

  async control(method, path, body) {
    const response = await fetch(`${this.url}/_control/${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} /_control/${path}: ${response.status} ${text}`);
    }
    return JSON.parse(text);
  }

  /** Back to the sample state: no faults, default exports, empty request log. */
  reset() {
    return this.control('POST', 'reset');
  }

  state() {
    return this.control('GET', 'state');
  }

  putState(state) {
    return this.control('PUT', 'state', state);
  }

  fault(fault) {
    return this.control('POST', 'faults', fault);
  }

  exportConfig(outcome, pollsBeforeReady) {
    return this.control('PUT', 'export', { outcome, pollsBeforeReady });
  }

  requests() {
    return this.control('GET', 'requests');
  }

  /** A kuraCloud API call with the sample token. */
  async api(method, path, body) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'X-Kura-Token': TOKEN, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return response.json();
  }

  /** A golden case's `setup`: faults, export settings, API calls (tests/src/lib.rs). */
  async setup(ops) {
    for (const op of ops ?? []) {
      if (op.faults) await this.fault(op.faults);
      if (op.export) await this.control('PUT', 'export', op.export);
      if (op.api) await this.api(op.api.method, op.api.path, op.api.body);
    }
  }
}

/** Records sleeps and progress instead of waiting, as the Rust tests' TestHost does. */
export function recordingHost() {
  const host = { sleeps: [], progress: [] };
  host.options = {
    sleep: async (ms) => {
      host.sleeps.push(ms);
    },
    onProgress: (p) => host.progress.push(p),
  };
  return host;
}
