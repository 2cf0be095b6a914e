// The wasm-bindgen facade itself (wasm-js/): `Workflow` start/resume with JavaScript
// objects, errors as `KuracloudError`s, and what it shares with the C ABI module.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Workflow, info, isKuracloudError, renderText, renderReason } from '../node.js';
import { ROOT, HOST_RUNNER } from './sim.js';

const VERIFY = { connection: { api_url: 'http://kuracloud.invalid/', token: 't' } };
const INSTANCE = { instanceId: 'i1', displayName: 'Demo', gradingMode: 'kuraGrading', lmsEnabled: true };

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(isKuracloudError(error), `not a KuracloudError: ${error?.stack ?? error}`);
    return error;
  }
  assert.fail('no error was thrown');
}

test('info() is the C ABI module\'s kc_info', () => {
  const native = JSON.parse(
    execFileSync(HOST_RUNNER, ['info', '--module', join(ROOT, 'dist', 'kuracloud.wasm')], { encoding: 'utf8' }),
  );
  assert.deepEqual(info(), native);
  assert.equal(info().workflows.length, 8);
});

test('a step is an effect object; resume with an object or with bytes; done is the outcome', () => {
  const run = new Workflow();
  assert.equal(run.running, false);
  const first = run.start('connection.verify', VERIFY);
  assert.deepEqual(first, {
    effect: {
      http: {
        method: 'GET',
        url: 'http://kuracloud.invalid/v2/instance',
        headers: [['X-Kura-Token', 't'], ['Accept', 'application/json']],
        timeout_ms: 30000,
      },
    },
  });
  assert.equal(run.running, true);
  const done = run.resume({ status: 200, body: JSON.stringify(INSTANCE) });
  assert.deepEqual(done, { done: { instance_id: 'i1', name: 'Demo', lms_enabled: true, grading_mode: 'kuraGrading' } });
  assert.equal(run.running, false);

  run.start('connection.verify', VERIFY);
  const bytes = new TextEncoder().encode(JSON.stringify(INSTANCE));
  assert.equal(run.resumeHttp(200, bytes).done.name, 'Demo');
  run.free();
});

test('an HTTP body that is not UTF-8 is read as the C ABI reads it (invalid bytes replaced)', () => {
  const run = new Workflow();
  run.start('connection.verify', VERIFY);
  const text = JSON.stringify({ ...INSTANCE, displayName: 'Caf#' });
  const bytes = new TextEncoder().encode(text);
  bytes[text.indexOf('#')] = 0xe9; // Latin-1 é: not UTF-8
  assert.equal(run.resumeHttp(200, bytes).done.name, 'Caf\uFFFD');
});

test('a failed workflow throws a KuracloudError with the module\'s code and kuraCloud\'s status', () => {
  const run = new Workflow();
  run.start('connection.verify', VERIFY);
  const error = thrown(() => run.resume({ status: 403, body: '{"message":"Invalid token"}' }));
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'KuracloudError');
  assert.equal(error.code, 'bad_token');
  assert.equal(error.status, 403);
  assert.match(error.message, /Invalid token/);
  assert.equal(run.running, false);

  run.start('connection.verify', VERIFY);
  const transport = thrown(() => run.resume({ transport_error: { kind: 'timeout', message: 'slow' } }));
  assert.equal(transport.code, 'timeout');
  assert.equal(transport.status, undefined);
  assert.match(transport.message, /\(slow\)/);
});

test('inputs the workflow cannot read are invalid_input, worded as core words them', () => {
  const run = new Workflow();
  assert.equal(thrown(() => run.start('nope', {})).code, 'invalid_input');
  assert.match(thrown(() => run.start('nope', {})).message, /unknown workflow 'nope'; known: connection.verify, /);
  const missing = thrown(() => run.start('students.preview', { connection: { token: 't' } }));
  assert.equal(missing.code, 'invalid_input');
  assert.match(missing.message, /missing field `course_id`/);
  const unknown = thrown(() => run.start('connection.verify', { ...VERIFY, extra: 1 }));
  assert.match(unknown.message, /unknown field `extra`/);
  assert.match(thrown(() => run.start('connection.verify', undefined)).message, /invalid type: null/);
  assert.match(thrown(() => run.start('connection.verify', { connection: { token: 'a\r\nb' } })).message, /token/);
  // A number JavaScript cannot hold exactly is not an id.
  const unsafe = thrown(() => run.start('mapping.create', { connection: VERIFY.connection, course_id: 2 ** 53 + 2 }));
  assert.match(unsafe.message, /invalid type: floating point/);
  // A BigInt is.
  const step = run.start('mapping.create', { connection: VERIFY.connection, course_id: 9007199254740993n });
  assert.equal(step.effect.http.url, 'http://kuracloud.invalid/v2/course/9007199254740993');
});

test('a cyclic or absurdly deep input is refused, and the module goes on working', () => {
  const run = new Workflow();
  const cyclic = { ...VERIFY };
  cyclic.self = cyclic;
  const error = thrown(() => run.start('connection.verify', cyclic));
  assert.equal(error.code, 'invalid_input');
  assert.match(error.message, /nested more than 128 levels deep/);
  let deep = [];
  for (let i = 0; i < 10_000; i++) deep = [deep];
  assert.match(thrown(() => run.start('connection.verify', { ...VERIFY, deep })).message, /nested more than 128/);
  assert.ok('effect' in run.start('connection.verify', VERIFY));
});

test('text reaches the workflow intact: escapes, non-ASCII, astral characters', () => {
  // mapping.create sends the Moodle course name back in its PUT body (control
  // characters removed, as core does for every host).
  const run = new Workflow();
  const name = 'Ph\u00e9 "quoted" \u{1F600} \\ \u2028 tab\tend';
  const step = run.start('mapping.create', { connection: VERIFY.connection, course_id: 7, moodle_course_name: name });
  assert.equal(step.effect.http.url, 'http://kuracloud.invalid/v2/course/7');
  const put = run.resume({ status: 200, body: JSON.stringify({ courseId: 7, name: 'C', lmsEnabled: false }) });
  assert.equal(put.effect.http.method, 'PUT');
  assert.deepEqual(JSON.parse(put.effect.http.body), { lmsEnabled: true, lmsCourseName: name.replace('\t', '') });
});

test('protocol misuse is a protocol error, never a trap', () => {
  const run = new Workflow();
  assert.equal(thrown(() => run.resume({})).code, 'protocol');
  run.start('connection.verify', VERIFY);
  const bad = thrown(() => run.resume({ status: 'two hundred' }));
  assert.equal(bad.code, 'protocol');
  assert.match(bad.message, /the effect result is not one the module can read/);
  assert.equal(run.running, false);
  assert.equal(thrown(() => run.resume({ status: 200, body: '{}' })).code, 'protocol');
});

test('workflows run side by side; start replaces a running one', () => {
  const a = new Workflow();
  const b = new Workflow();
  a.start('connection.verify', VERIFY);
  b.start('connection.verify', { connection: { api_url: 'http://other.invalid', token: 'u' } });
  assert.equal(b.resume({ status: 200, body: JSON.stringify({ ...INSTANCE, displayName: 'B' }) }).done.name, 'B');
  assert.equal(a.resume({ status: 200, body: JSON.stringify({ ...INSTANCE, displayName: 'A' }) }).done.name, 'A');
  a.start('connection.verify', VERIFY);
  const step = a.start('courses.list', { connections: [{ connection_id: 1, ...VERIFY.connection }] });
  assert.deepEqual(step, { effect: { progress: { stage: 'courses', done: 0, total: 1 } } });
});

test('members that are undefined are left out, as JSON.stringify leaves them out', () => {
  const run = new Workflow();
  // `links: undefined` is no links (null would be refused: links is a list).
  const step = run.start('students.preview', {
    connection: { ...VERIFY.connection, timeout_ms: undefined },
    course_id: 1,
    students: [],
    links: undefined,
    fingerprint: undefined,
  });
  assert.ok('effect' in step);
  assert.equal(step.effect.progress.stage, 'read');
  assert.match(thrown(() => run.start('students.preview', { connection: VERIFY.connection, course_id: 1, students: [], links: null })).message, /invalid type: null, expected a sequence/);
  // In a list, undefined is null (as JSON.stringify writes it).
  assert.match(thrown(() => run.start('students.preview', { connection: VERIFY.connection, course_id: 1, students: [undefined] })).message, /invalid type: null, expected struct MoodleStudent/);
  // A required member that is undefined is missing.
  assert.match(thrown(() => run.start('students.preview', { connection: VERIFY.connection, course_id: undefined, students: [] })).message, /missing field `course_id`/);
});

test('errors carry their text; renderText and renderReason say it in host-runner\'s English', () => {
  const run = new Workflow();
  run.start('connection.verify', VERIFY);
  const error = thrown(() => run.resume({ status: 403, body: '{"message":"Invalid token"}' }));
  assert.deepEqual(error.text, { code: 'bad_token', params: { status: 403, said: 'Invalid token' } });
  assert.equal(
    renderText(error.text),
    'kuraCloud refused the token (HTTP 403). The token may be wrong, revoked or replaced; an administrator must enter a new token for this connection. kuraCloud said: Invalid token',
  );
  assert.equal(renderText({ code: 'conflict_shared_email', params: { count: 2 } }), '2 Moodle users share this email; none of them is synced until the emails differ');
  assert.equal(renderText({ code: 'no_such_code', params: {} }), '[no_such_code]');
  const entry = (action, changes) => ({ action, reason: { code: 'matched_email', params: {} }, changes });
  assert.equal(renderReason(entry('update', ['given_name', 'section'])), 'matched by email; details changed: given name, section');
  assert.equal(renderReason(entry('restore', [])), 'matched by email: restore');
  assert.equal(renderReason(entry('restore', ['email'])), 'matched by email: restore, then edit email');
  assert.equal(renderReason(entry('unchanged')), 'matched by email');
  // Not a text: shown as an unknown code, as host-runner shows it; not JSON at all: refused.
  assert.equal(renderText(12), '[]');
  assert.equal(thrown(() => renderText(() => 1)).code, 'invalid_input');
});
