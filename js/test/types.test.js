// The TypeScript declarations (wasm-js/src/types.d.ts, js/index.d.ts, js/web.d.ts)
// checked with tsc --strict: every golden input and outcome (what host-runner really
// gives) typed as its workflow's input and outcome, so a field the types miss, add or
// mistype fails; and types/usage.ts, the API as the README uses it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './sim.js';

const TOOLS = process.env.KC_JS_TOOLS ?? join(ROOT, '.cache', 'js-tools');
const TSC = join(TOOLS, 'node_modules', 'typescript', 'bin', 'tsc');
const GOLDEN = join(ROOT, 'tests', 'golden');
const JS = join(ROOT, 'js');

function goldenChecks() {
  const lines = [
    `import type { ErrorCode, WorkflowInputs, WorkflowOutcomes } from ${JSON.stringify(join(JS, 'index.js'))};`,
  ];
  const names = readdirSync(GOLDEN).filter((n) => n.endsWith('.json')).sort();
  let outcomes = 0;
  names.forEach((name, i) => {
    const golden = JSON.parse(readFileSync(join(GOLDEN, name), 'utf8'));
    const expected = readFileSync(join(GOLDEN, name.replace(/\.json$/, '.expected')), 'utf8');
    const wf = JSON.stringify(golden.workflow);
    lines.push(`// ${name}`);
    if (typeof golden.input !== 'object') {
      // A deliberately wrong input: the types must refuse it too.
      lines.push('// @ts-expect-error');
    }
    lines.push(`export const input${i}: WorkflowInputs[${wf}] = ${JSON.stringify(golden.input)};`);
    if (expected.startsWith('error:')) {
      const code = expected.slice('error:'.length, expected.indexOf('\n'));
      lines.push(`export const code${i}: ErrorCode = ${JSON.stringify(code)};`);
    } else {
      lines.push(`export const outcome${i}: WorkflowOutcomes[${wf}] = ${expected};`);
      outcomes++;
    }
  });
  return { source: lines.join('\n') + '\n', cases: names.length, outcomes };
}

test('tsc --strict accepts the golden inputs and outcomes and the documented usage', { timeout: 120_000 }, () => {
  assert.ok(existsSync(TSC), `${TSC} is missing: scripts/test-js.sh installs typescript into ${TOOLS}`);
  assert.ok(existsSync(join(JS, 'pkg', 'node', 'kuracloud.d.ts')), 'js/pkg is missing: run js/build.sh');
  const dir = mkdtempSync(join(tmpdir(), 'kuracloud-types-'));
  try {
    const { source, cases, outcomes } = goldenChecks();
    assert.ok(cases >= 10 && outcomes >= 8, `${cases} cases, ${outcomes} outcomes`);
    writeFileSync(join(dir, 'golden.ts'), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['es2022', 'dom', 'esnext.disposable'],
          types: [],
          skipLibCheck: false,
          noUnusedLocals: false,
          exactOptionalPropertyTypes: false,
        },
        files: [join(dir, 'golden.ts'), join(JS, 'test', 'types', 'usage.ts')],
      }),
    );
    try {
      execFileSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      assert.fail(`tsc found errors:\n${error.stdout}${error.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The string literals of `export type NAME = | 'a' | 'b' ...;` in types.d.ts. */
function unionOf(name) {
  const source = readFileSync(join(ROOT, 'wasm-js', 'src', 'types.d.ts'), 'utf8');
  const match = new RegExp(`export type ${name} =([^;]*);`).exec(source);
  assert.ok(match, `types.d.ts declares no ${name}`);
  return [...match[1].matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
}

test('the code unions list exactly core\'s codes (error codes, text codes)', () => {
  const error = readFileSync(join(ROOT, 'core', 'src', 'error.rs'), 'utf8');
  const body = /pub enum ErrorCode \{([^}]*)\}/.exec(error)[1];
  const errorCodes = [...body.matchAll(/^\s*([A-Z][A-Za-z]*),/gm)]
    .map((m) => m[1].replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase()))
    .sort();
  assert.ok(errorCodes.length >= 14, errorCodes.join(', '));
  assert.deepEqual(unionOf('ErrorCode'), errorCodes);
  const text = readFileSync(join(ROOT, 'core', 'src', 'text.rs'), 'utf8');
  const textCodes = [...text.matchAll(/^ {4}[A-Z][A-Za-z]* = "([a-z_]+)" \[/gm)].map((m) => m[1]).sort();
  assert.ok(textCodes.length >= 50, textCodes.join(', '));
  assert.deepEqual(unionOf('TextCode'), textCodes);
});
