// The browser page (examples/web/, opened from file://, no server) and the web target
// (js/web.js, an ES module) in headless Chromium: Debian's /usr/bin/chromium driven by
// playwright-core, which scripts/test-js.sh installs into .cache/js-tools.
//
// The page's sample is the Moodle side of tests/golden/students-preview.json and the
// simulator's roster of course 101, so its fingerprint and table must be the ones in
// students-preview.expected, which host-runner computes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { renderReason } from '../node.js';
import { startSim, ROOT, TOKEN } from './sim.js';

const TOOLS = process.env.KC_JS_TOOLS ?? join(ROOT, '.cache', 'js-tools');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const PAGE = join(ROOT, 'examples', 'web', 'index.html');
const GOLDEN = JSON.parse(readFileSync(join(ROOT, 'tests', 'golden', 'students-preview.expected'), 'utf8'));

/** examples/web/sample.js, read as the page reads it. */
function sample() {
  const window = {};
  runInNewContext(readFileSync(join(ROOT, 'examples', 'web', 'sample.js'), 'utf8'), { window });
  return JSON.parse(JSON.stringify(window.kuracloudSample));
}

let browser;
before(async () => {
  const playwright = join(TOOLS, 'node_modules', 'playwright-core');
  assert.ok(existsSync(playwright), `${playwright} is missing: scripts/test-js.sh installs playwright-core into ${TOOLS}`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  assert.ok(existsSync(join(ROOT, 'examples', 'web', 'kuracloud.bundle.js')), 'examples/web/kuracloud.bundle.js is missing: run js/build.sh');
  const { chromium } = createRequire(import.meta.url)(playwright);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
});
after(() => browser?.close());

/** A page that records what it loads and every error it meets. */
async function newPage() {
  const page = await browser.newPage();
  const seen = { requests: [], errors: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  return { page, seen };
}

async function openPreviewPage() {
  const { page, seen } = await newPage();
  await page.goto(pathToFileURL(PAGE).href);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 30_000 });
  return { page, seen };
}

async function table(page) {
  return page.$$eval('#plan tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

test('the sample is the golden case\'s Moodle side and the simulator\'s roster', async () => {
  const { snapshot, students, deleted } = sample();
  const golden = JSON.parse(readFileSync(join(ROOT, 'tests', 'golden', 'students-preview.json'), 'utf8'));
  assert.deepEqual(snapshot, { course_id: golden.input.course_id, students: golden.input.students, links: golden.input.links });
  const sim = await startSim();
  try {
    const read = async (query) => (await fetch(`${sim.url}/v2/course/101/student${query}`, { headers: { 'X-Kura-Token': TOKEN } })).json();
    assert.deepEqual(students, await read(''));
    assert.deepEqual(deleted, await read('?deleted=true'));
  } finally {
    sim.stop();
  }
});

test('examples/web from file://: the sample\'s plan and fingerprint are host-runner\'s, and nothing goes to the network', async () => {
  const { page, seen } = await openPreviewPage();
  assert.match(await page.textContent('#module-info'), /^Module kuracloud \d+\.\d+\.\d+ \(ABI 1\)/);
  await page.click('#load-sample');
  await page.click('#preview');
  await page.waitForSelector('#result:not([hidden])');
  assert.equal(await page.textContent('#fingerprint'), GOLDEN.plan.fingerprint);
  const rows = await table(page);
  assert.equal(rows.length, GOLDEN.plan.entries.length);
  assert.deepEqual(
    rows.map((r) => r.slice(0, 6)),
    GOLDEN.plan.entries.map((e) => [e.action, String(e.user_id ?? ''), String(e.student_id ?? ''), e.name, e.email, renderReason(e)]),
  );
  const counts = Object.entries(GOLDEN.plan.counts).filter(([, n]) => n > 0).map(([a, n]) => `${n} ${a}`).join(', ');
  assert.equal(await page.textContent('#counts'), counts);
  // The update row says what changes.
  // Reasons in host-runner's English, an update's and a restore's with what they do.
  const update = rows.find((r) => r[0] === 'update');
  assert.equal(update[5], 'matched by email; details changed: given name');
  assert.equal(update[6], 'given_name: Ben → Benjamin');
  assert.equal(rows.find((r) => r[0] === 'restore')[5], 'matched by email with a student deleted in kuraCloud: restore');
  assert.equal(rows.find((r) => r[0] === 'delete')[5], 'not an actively enrolled student of the Moodle course');
  assert.equal(await page.isVisible('#needs-review'), false);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.requests.filter((u) => !u.startsWith('file://')), []);
  await page.close();
});

test('examples/web: files loaded through the file inputs, a mass removal, and errors shown as text', async () => {
  const { page, seen } = await openPreviewPage();
  const roster = Array.from({ length: 6 }, (_, i) => ({
    studentId: 500 + i,
    email: `s${i}@uni.example`,
    givenName: `<b>S${i}</b>`,
    familyName: 'Gone',
  }));
  const file = (name, value) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });
  await page.setInputFiles('#snapshot-file', file('snapshot.json', { course_id: 9, students: [], links: [] }));
  await page.setInputFiles('#students-file', file('students.json', roster));
  await page.waitForFunction(() => document.getElementById('students').value.includes('studentId'));
  await page.click('#preview');
  await page.waitForSelector('#result:not([hidden])');
  assert.equal(
    await page.textContent('#needs-review'),
    'Not applied automatically: the sync would delete more than half of the kuraCloud students. Review it and apply it by hand.',
  );
  const rows = await table(page);
  assert.deepEqual(rows.map((r) => r[0]), Array(6).fill('delete'));
  // kuraCloud's text is shown as text.
  assert.equal(rows[0][3], '<b>S0</b> Gone');
  assert.equal(await page.$$eval('#plan b', (b) => b.length), 0);

  await page.fill('#students', '[{');
  await page.click('#preview');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /The kuraCloud students is not JSON/);
  assert.equal(await page.isVisible('#result'), false);

  await page.fill('#students', '[]');
  await page.fill('#snapshot', '{"course_id": 9, "students": [{"email": "no-user-id@uni.example"}]}');
  await page.click('#preview');
  await page.waitForFunction(() => /invalid_input/.test(document.getElementById('error').textContent));
  assert.match(await page.textContent('#error'), /missing field `user_id`/);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('js/web.js (wasm-pack --target web) as an ES module in Chromium', async () => {
  const { page, seen } = await newPage();
  const origin = 'http://kuracloud.test';
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  // Served from the repository by the browser's request interception: no server.
  await page.route(`${origin}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') {
      await route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>kuracloud web</title>' });
      return;
    }
    const file = join(ROOT, 'js', path);
    if (!file.startsWith(join(ROOT, 'js')) || !existsSync(file)) {
      await route.fulfill({ status: 404, body: 'not found' });
      return;
    }
    await route.fulfill({ contentType: types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  await page.goto(`${origin}/`);
  const { snapshot, students, deleted } = sample();
  const result = await page.evaluate(
    async ({ snapshot, students, deleted }) => {
      const kuracloud = await import('/web.js');
      const fetch = async (url) =>
        new Response(JSON.stringify(new URL(url).searchParams.get('deleted') === 'true' ? deleted : students));
      const outcome = await kuracloud.run(
        'students.preview',
        { ...snapshot, connection: { api_url: 'https://kuracloud.offline.invalid', token: 't' } },
        { fetch },
      );
      let error;
      try {
        await kuracloud.run('connection.verify', { connection: { token: '' } });
      } catch (e) {
        error = { name: e.name, code: e.code, isError: e instanceof Error, recognised: kuracloud.isKuracloudError(e) };
      }
      return { outcome: JSON.stringify(outcome), info: kuracloud.info(), error };
    },
    { snapshot, students, deleted },
  );
  assert.equal(result.outcome, JSON.stringify(GOLDEN));
  assert.equal(result.info.workflows.length, 8);
  assert.deepEqual(result.error, { name: 'KuracloudError', code: 'invalid_input', isError: true, recognised: true });
  assert.ok(seen.requests.includes(`${origin}/pkg/web/kuracloud_bg.wasm`), seen.requests.join('\n'));
  assert.deepEqual(seen.errors, []);
  await page.close();
});
