// Every workflow through the Node package (`kuracloud.run`: the wasm-bindgen module and
// the fetch/timer effect loop) against host-runner's kuraCloud simulator over HTTP.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import kuracloudDefault, * as kuracloud from '../node.js';
import { startSim, recordingHost, TOKEN } from './sim.js';

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

const MOODLE = [
  { user_id: 11, email: 'ana.lima@example.edu', first_name: 'Ana', last_name: 'Lima', idnumber: 'S001', groups: ['Lab A'] },
  { user_id: 12, email: 'Ben.Okafor@example.edu', first_name: 'Benjamin', last_name: 'Okafor', idnumber: 'S002', groups: [] },
  { user_id: 13, email: 'chen.wei@example.edu', first_name: 'Chen', last_name: 'Wei', idnumber: 'S003', groups: ['Lab B'] },
  { user_id: 14, email: 'dana.smith@example.edu', first_name: 'Dana', last_name: 'Smith', idnumber: 'S004', groups: ['Lab C', 'Lab A'] },
];

/** Moodle's side of a grade sync of course 101, students in step. */
function gradeInput() {
  return {
    connection: sim.conn(),
    course_id: 101,
    students: [
      { user_id: 11, email: 'ana.lima@example.edu' },
      { user_id: 12, email: 'ben.okafor@example.edu' },
      { user_id: 13, email: 'old.student@example.edu' },
    ],
    links: [
      { user_id: 11, student_id: 1001 },
      { user_id: 12, student_id: 1002 },
      { user_id: 13, student_id: 1003 },
    ],
  };
}

/** Runs a workflow that must fail; its KuracloudError. */
async function failure(workflow, input, options) {
  try {
    const outcome = await kuracloud.run(workflow, input, options);
    assert.fail(`${workflow} should have failed but gave ${JSON.stringify(outcome)}`);
  } catch (error) {
    assert.ok(kuracloud.isKuracloudError(error), `not a KuracloudError: ${error?.stack ?? error}`);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'KuracloudError');
    return error;
  }
}

async function course(id) {
  const state = await sim.state();
  return state.instances[0].courses.find((c) => c.courseId === id);
}

test('the default export and the named exports are the same functions', () => {
  assert.equal(kuracloudDefault.run, kuracloud.run);
  assert.equal(kuracloudDefault.info, kuracloud.info);
  assert.equal(kuracloudDefault.Workflow, kuracloud.Workflow);
});

test('connection.verify: the instance, or bad_token with kuraCloud\'s status', async () => {
  const outcome = await kuracloud.run('connection.verify', { connection: sim.conn() });
  assert.deepEqual(outcome, {
    instance_id: outcome.instance_id,
    name: 'Demo University',
    lms_enabled: true,
    grading_mode: outcome.grading_mode,
  });
  assert.ok(outcome.instance_id.length > 0);
  const error = await failure('connection.verify', { connection: sim.conn('wrong-token') });
  assert.equal(error.code, 'bad_token');
  assert.equal(error.status, 403);
  assert.match(error.message, /token/i);
});

test('courses.list: courses per connection, mapped ones marked, a failing connection does not hide the others', async () => {
  const outcome = await kuracloud.run('courses.list', {
    connections: [
      { connection_id: 1, ...sim.conn() },
      { connection_id: 2, ...sim.conn('nope') },
    ],
    mappings: [{ connection_id: 1, course_id: 102, moodle_course_id: 5 }],
  });
  const [good, bad] = outcome.connections;
  assert.equal(good.ok, true);
  assert.deepEqual(good.courses.map((c) => [c.course_id, c.name, c.mapped_to, c.mappable]), [
    [102, 'Neuroscience Lab', 5, false],
    [101, 'Physiology 101', null, true],
  ]);
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'bad_token');
  assert.deepEqual(bad.courses, []);
});

test('mapping.create, mappings.check, mapping.remove: kuraCloud\'s lmsEnabled follows', async () => {
  const created = await kuracloud.run('mapping.create', { connection: sim.conn(), course_id: 101, moodle_course_name: 'PHYS «Moodle»' });
  assert.deepEqual(created, { course_id: 101, name: 'Physiology 101', course_code: 'PHYS101', lms_enabled: true });
  assert.equal((await course(101)).lmsEnabled, true);
  assert.equal((await course(101)).lmsCourseName, 'PHYS «Moodle»');

  const host = recordingHost();
  const checked = await kuracloud.run(
    'mappings.check',
    {
      connections: [{ connection_id: 1, ...sim.conn() }],
      mappings: [
        { mapping_id: 1, connection_id: 1, course_id: 101 },
        { mapping_id: 2, connection_id: 1, course_id: 102 },
        { mapping_id: 3, connection_id: 1, course_id: 103 },
      ],
    },
    host.options,
  );
  assert.deepEqual(checked.mappings.map((m) => [m.mapping_id, m.status]), [
    [1, 'ok'],
    [2, 'lms_not_enabled'],
    [3, 'course_deleted'],
  ]);
  assert.deepEqual(host.progress, [{ stage: 'mappings', done: 0, total: 1 }]);

  const removed = await kuracloud.run('mapping.remove', { connection: sim.conn(), course_id: 101 });
  assert.equal(removed.lms_enabled, false);
  assert.equal((await course(101)).lmsEnabled, false);
  const deleted = await failure('mapping.remove', { connection: sim.conn(), course_id: 103 });
  assert.equal(deleted.code, 'course_not_found');
  assert.equal(deleted.status, 404);
});

test('students.preview, then students.apply with its fingerprint: the next preview has nothing to do', async () => {
  await kuracloud.run('mapping.create', { connection: sim.conn(), course_id: 101 });
  const input = { connection: sim.conn(), course_id: 101, students: MOODLE, links: [{ user_id: 11, student_id: 1001 }] };
  const host = recordingHost();
  const preview = await kuracloud.run('students.preview', input, host.options);
  const { plan } = preview;
  assert.match(plan.fingerprint, /^[0-9a-f]{32}$/);
  assert.deepEqual(plan.counts, { add: 1, reinvite: 0, update: 1, restore: 1, delete: 1, unchanged: 1, conflict: 0, skip: 0 });
  assert.equal(preview.requests, 2);
  assert.deepEqual(host.progress.map((p) => `${p.stage} ${p.done}/${p.total}`), ['read 0/2', 'read 1/2', 'read 2/2']);

  // A stale fingerprint changes nothing.
  const stale = await kuracloud.run('students.apply', { ...input, fingerprint: '0'.repeat(32) });
  assert.equal(stale.status, 'stale');
  assert.equal(stale.plan.fingerprint, plan.fingerprint);
  assert.deepEqual(stale.results, []);

  const applied = await kuracloud.run('students.apply', { ...input, fingerprint: plan.fingerprint });
  assert.equal(applied.status, 'applied');
  assert.ok(applied.results.every((r) => r.result === 'done' || r.result === 'no_change'), JSON.stringify(applied.results));
  const students = (await course(101)).students;
  assert.ok(students.some((s) => s.email === 'dana.smith@example.edu' && !s.deleted));
  assert.ok(students.some((s) => s.email === 'old.student@example.edu' && s.deleted));

  // The new links; Ana's was stored already. Kept as Moodle keeps them: upserted by user.
  assert.deepEqual(applied.links_store.map((l) => l.user_id).sort(), [12, 13, 14]);
  const byUser = new Map(input.links.map((l) => [l.user_id, l]));
  for (const l of applied.links_store) byUser.set(l.user_id, l);
  for (const l of applied.links_remove) byUser.delete(l.user_id);
  const links = [...byUser.values()];
  const again = await kuracloud.run('students.preview', { ...input, links });
  assert.deepEqual(again.plan.counts, { add: 0, reinvite: 0, update: 0, restore: 0, delete: 0, unchanged: 4, conflict: 0, skip: 0 });
});

test('grades.sync: export started, polled (sleeps through the host), downloaded and mapped', async () => {
  await sim.exportConfig('succeed', 2);
  const host = recordingHost();
  const outcome = await kuracloud.run(
    'grades.sync',
    gradeInput(),
    host.options,
  );
  assert.equal(outcome.status, 'synced');
  assert.deepEqual(outcome.items.map((i) => [i.lesson_id, i.revision_id, i.action, i.grademax]), [
    [601, 701, 'create', 10],
    [601, 702, 'create', 10],
  ]);
  assert.deepEqual(outcome.items[0].writes, [{ user_id: 11, grade: 7.5 }, { user_id: 12, grade: 0 }]);
  assert.deepEqual(outcome.items[1].writes, [{ user_id: 11, grade: 10 }, { user_id: 12, grade: 6 }]);
  assert.equal(host.sleeps.length, 2, `sleeps: ${host.sleeps}`);
  assert.ok(host.progress.some((p) => p.stage === 'mapping'));
  const routes = (await sim.requests()).map((r) => r.route);
  assert.deepEqual(routes.filter((r) => r.startsWith('export.')), ['export.start', 'export.progress', 'export.progress', 'export.progress', 'export.download']);
});

test('grades.sync waits for students: students_not_synced without an export', async () => {
  const outcome = await kuracloud.run('grades.sync', {
    connection: sim.conn(),
    course_id: 101,
    students: MOODLE,
    links: [],
  });
  assert.equal(outcome.status, 'students_not_synced');
  assert.equal(outcome.items, undefined);
  assert.ok(!(await sim.requests()).some((r) => r.route.startsWith('export.')));
});

test('real timers: the default sleep waits what the module asks', async () => {
  await sim.exportConfig('succeed', 1);
  const started = performance.now();
  const outcome = await kuracloud.run('grades.sync', { ...gradeInput(), poll: { initial_ms: 300, max_interval_ms: 300 } });
  const elapsed = performance.now() - started;
  assert.equal(outcome.status, 'synced');
  assert.ok(elapsed >= 290, `the poll did not wait: ${elapsed} ms`);
});

test('an export that fails is export_failed', async () => {
  await sim.exportConfig('fail', 0);
  const host = recordingHost();
  const error = await failure(
    'grades.sync',
    gradeInput(),
    host.options,
  );
  assert.equal(error.code, 'export_failed');
});

/** A port on 127.0.0.1 nobody listens on. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('transport: a refused connection is unreachable', async () => {
  const port = await closedPort();
  const error = await failure('connection.verify', { connection: { api_url: `http://127.0.0.1:${port}`, token: TOKEN } });
  assert.equal(error.code, 'unreachable');
  assert.match(error.message, /could not be reached/);
  assert.match(error.message, /ECONNREFUSED/);
});

test('transport: no answer within the connection\'s timeout is timeout', async () => {
  await sim.fault({ route: 'instance.get', delay_ms: 3000, times: 1 });
  const started = performance.now();
  const error = await failure('connection.verify', { connection: { ...sim.conn(), timeout_ms: 200 } });
  assert.equal(error.code, 'timeout');
  assert.match(error.message, /no answer within 200 ms/);
  assert.ok(performance.now() - started < 2500);
});

test('transport: a body past maxResponseBytes is refused without reading it to its end', async () => {
  for (const chunked of [false, true]) {
    await sim.fault({ route: 'instance.get', padded_to: 5001, chunked, times: 1 });
    const error = await failure('connection.verify', { connection: sim.conn() }, { maxResponseBytes: 5000 });
    assert.equal(error.code, 'unreachable');
    assert.match(error.message, /the response is larger than 5000 bytes, the limit for kuraCloud responses/);
    // At the limit exactly: read whole, and still the real answer.
    await sim.fault({ route: 'instance.get', padded_to: 5000, chunked, times: 1 });
    const outcome = await kuracloud.run('connection.verify', { connection: sim.conn() }, { maxResponseBytes: 5000 });
    assert.equal(outcome.name, 'Demo University');
  }
  // A gigabyte, announced or chunked: the transfer stops at the default 64 MiB limit.
  for (const chunked of [false, true]) {
    await sim.fault({ route: 'instance.get', padded_to: 1 << 30, chunked, times: 1 });
    const started = performance.now();
    const error = await failure('connection.verify', { connection: sim.conn() });
    assert.match(error.message, /larger than 64 MiB/);
    assert.ok(performance.now() - started < 20_000);
  }
});

test('server errors keep kuraCloud\'s status and message', async () => {
  await sim.fault({ route: 'instance.get', status: 500, message: 'maintenance', times: 5 });
  const error = await failure('connection.verify', { connection: sim.conn() }, recordingHost().options);
  assert.equal(error.code, 'server_error');
  assert.equal(error.status, 500);
  assert.match(error.message, /maintenance/);
});

test('an AbortSignal stops a run, here while it sleeps between export polls', async () => {
  await sim.exportConfig('never', 0);
  const controller = new AbortController();
  let polls = 0;
  const started = performance.now();
  const running = kuracloud.run(
    'grades.sync',
    { ...gradeInput(), poll: { initial_ms: 5000, max_interval_ms: 5000 } },
    {
      signal: controller.signal,
      // After the first export poll comes a 5 s sleep: abort 50 ms after the poll starts.
      onProgress: (p) => {
        if (p.stage === 'export' && polls++ === 0) setTimeout(() => controller.abort(new Error('stopped by the test')), 50);
      },
    },
  );
  await assert.rejects(running, /stopped by the test/);
  assert.ok(performance.now() - started < 3000, 'the sleep was not cut short');
  // Aborted before it starts: nothing is sent.
  await sim.control('DELETE', 'requests');
  await assert.rejects(kuracloud.run('connection.verify', { connection: sim.conn() }, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.deepEqual(await sim.requests(), []);
});

test('a custom fetch answers for kuraCloud (as the browser page does)', async () => {
  const calls = [];
  const outcome = await kuracloud.run(
    'connection.verify',
    { connection: { api_url: 'https://kuracloud.invalid', token: 't' } },
    {
      fetch: async (url, init) => {
        calls.push([init.method, url, Object.fromEntries(init.headers)]);
        return new Response(JSON.stringify({ instanceId: 'x1', displayName: 'Offline', gradingMode: 'kuraGrading', lmsEnabled: true }));
      },
    },
  );
  assert.deepEqual(outcome, { instance_id: 'x1', name: 'Offline', lms_enabled: true, grading_mode: 'kuraGrading' });
  assert.deepEqual(calls, [['GET', 'https://kuracloud.invalid/v2/instance', { 'X-Kura-Token': 't', Accept: 'application/json' }]]);
});
