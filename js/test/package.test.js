// The package as npm ships it: `npm pack js/`, installed into an empty project (no
// network: it has no dependencies), imported by name from ES modules and CommonJS alike.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './sim.js';

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--offline'], { cwd, encoding: 'utf8', stdio: 'pipe' });

test('npm pack js/, npm install the tarball, import kuracloud', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kuracloud-package-'));
  try {
    const packed = JSON.parse(npm(['pack', join(ROOT, 'js'), '--json', '--pack-destination', dir], dir))[0];
    const files = packed.files.map((f) => f.path).sort();
    for (const needed of ['node.js', 'web.js', 'driver.js', 'index.d.ts', 'web.d.ts', 'pkg/node/kuracloud_bg.wasm', 'pkg/web/kuracloud_bg.wasm', 'pkg/node/package.json']) {
      assert.ok(files.includes(needed), `${needed} is not in the package: ${files.join(', ')}`);
    }
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('pkg/classic/')), files.join(', '));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(['install', join(dir, packed.filename)], dir);
    writeFileSync(
      join(dir, 'esm.js'),
      `import * as kuracloud from 'kuracloud';
const outcome = await kuracloud.run('connection.verify', { connection: { api_url: 'https://kuracloud.invalid', token: 't' } }, {
  fetch: async () => new Response(JSON.stringify({ instanceId: 'i', displayName: 'Packed', gradingMode: 'kuraGrading', lmsEnabled: true })),
});
console.log(outcome.name, kuracloud.info().workflows.length);`,
    );
    assert.equal(execFileSync(process.execPath, ['esm.js'], { cwd: dir, encoding: 'utf8' }).trim(), 'Packed 8');
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `import('kuracloud').then(async (kuracloud) => {
  try { await kuracloud.default.run('connection.verify', { connection: { token: '' } }); }
  catch (e) { console.log(e.name, e.code); }
});`,
    );
    assert.equal(execFileSync(process.execPath, ['cjs.cjs'], { cwd: dir, encoding: 'utf8' }).trim(), 'KuracloudError invalid_input');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
