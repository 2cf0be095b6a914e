// The preview page: runs `students.preview` in the browser through kuracloud.bundle.js
// (built by js/build.sh), answering the module's two kuraCloud reads from the pasted
// rosters instead of the network. Everything shown is set as text, never as HTML.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const OFFLINE_API = 'https://kuracloud.offline.invalid';

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function fail(title, detail) {
    const box = $('error');
    box.replaceChildren();
    const strong = document.createElement('strong');
    strong.textContent = title;
    box.append(strong, document.createTextNode(` ${detail}`));
    show('error', true);
    show('result', false);
  }

  /** Parses a textarea's JSON, naming the box when it is not JSON. */
  function parse(id, label, fallback) {
    const text = $(id).value.trim();
    if (text === '' && fallback !== undefined) {
      return fallback;
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`${label} is not JSON: ${e.message}`);
    }
  }

  /**
   * kuraCloud, offline: the active and deleted rosters for the student reads, 404 for
   * anything else (a preview asks for nothing else).
   */
  function offlineKuracloud(students, deleted) {
    return async (url, init) => {
      const { pathname, searchParams } = new URL(url);
      const json = (status, body) =>
        new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
      if (init.method === 'GET' && /^\/v2\/course\/\d+\/student$/.test(pathname)) {
        return json(200, searchParams.get('deleted') === 'true' ? deleted : students);
      }
      return json(404, { message: `${init.method} ${pathname} is not available offline` });
    };
  }

  function text(value) {
    return value === null || value === undefined ? '' : String(value);
  }

  function cell(row, value, className) {
    const td = document.createElement('td');
    td.textContent = text(value);
    if (className) td.className = className;
    row.append(td);
    return td;
  }

  const FIELDS = ['email', 'given_name', 'family_name', 'external_student_id', 'section'];

  /** "field: before → after" for the fields an edit changes; the fields an invite sends. */
  function changes(entry) {
    if (entry.changes) {
      return entry.changes
        .map((field) => `${field}: ${text(entry.before?.[field])} → ${text(entry.after?.[field])}`)
        .join('\n');
    }
    if (!entry.before && entry.after) {
      return FIELDS.filter((field) => entry.after[field] !== '')
        .map((field) => `${field}: ${text(entry.after[field])}`)
        .join('\n');
    }
    return '';
  }

  function render(outcome) {
    const plan = outcome.plan;
    $('fingerprint').textContent = plan.fingerprint;
    $('roster').textContent = `${plan.roster} active students before the sync`;
    const counts = Object.entries(plan.counts)
      .filter(([, n]) => n > 0)
      .map(([action, n]) => `${n} ${action}`);
    $('counts').textContent = counts.length ? counts.join(', ') : 'none';
    $('needs-review').textContent = plan.needs_review ? kuracloud.renderText(plan.needs_review) : '';
    show('needs-review', plan.needs_review !== null);
    const stale = plan.stale_links;
    $('stale-links').textContent = stale.length
      ? `${stale.length} stored link(s) point at kuraCloud students that no longer exist and would be forgotten.`
      : '';
    show('stale-links', stale.length > 0);
    const body = $('plan').tBodies[0];
    body.replaceChildren();
    for (const entry of plan.entries) {
      const row = document.createElement('tr');
      row.className = `action-${entry.action}`;
      cell(row, entry.action, 'action');
      cell(row, entry.user_id);
      cell(row, entry.replaces_student_id ? `${text(entry.student_id)} (replaces ${entry.replaces_student_id})` : entry.student_id);
      cell(row, entry.name);
      cell(row, entry.email);
      // The module reports a reason as a code and its parameters (docs/abi.md); the
      // bundle renders it in English with host-runner's catalogue.
      cell(row, kuracloud.renderReason(entry));
      cell(row, changes(entry), 'changes');
      body.append(row);
    }
    show('error', false);
    show('result', true);
  }

  async function preview() {
    let input;
    let students;
    let deleted;
    try {
      const snapshot = parse('snapshot', 'The Moodle snapshot');
      students = parse('students', 'The kuraCloud students');
      deleted = parse('deleted', 'The deleted kuraCloud students', []);
      if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot)) {
        throw new Error('The Moodle snapshot must be an object: {"course_id", "students", "links"}.');
      }
      // A whole workflow input works too: its connection is replaced by the offline one.
      input = { ...snapshot, connection: { api_url: OFFLINE_API, token: 'offline' } };
    } catch (e) {
      fail('Cannot read the input.', e.message);
      return;
    }
    $('preview').disabled = true;
    try {
      render(await kuracloud.run('students.preview', input, { fetch: offlineKuracloud(students, deleted) }));
    } catch (e) {
      if (kuracloud.isKuracloudError(e)) {
        fail(`The preview failed (${e.code}).`, e.message);
      } else {
        fail('The preview failed.', String(e && e.message ? e.message : e));
      }
    } finally {
      $('preview').disabled = false;
    }
  }

  function pretty(value) {
    return JSON.stringify(value, null, 2);
  }

  function loadSample() {
    const sample = window.kuracloudSample;
    $('snapshot').value = pretty(sample.snapshot);
    $('students').value = pretty(sample.students);
    $('deleted').value = pretty(sample.deleted);
  }

  for (const id of ['snapshot', 'students', 'deleted']) {
    $(`${id}-file`).addEventListener('change', async (event) => {
      const file = event.target.files[0];
      if (file) $(id).value = await file.text();
    });
  }
  $('load-sample').addEventListener('click', loadSample);
  $('preview').addEventListener('click', preview);

  if (typeof window.kuracloud === 'undefined') {
    $('status').textContent = 'kuracloud.bundle.js is missing: build it with js/build.sh.';
    return;
  }
  kuracloud.ready.then(
    () => {
      const info = kuracloud.info();
      $('status').textContent = 'Ready.';
      $('status').dataset.ready = 'true';
      $('module-info').textContent = `Module ${info.module} ${info.version} (ABI ${info.abi}), running in this browser.`;
      $('preview').disabled = false;
    },
    (e) => {
      $('status').textContent = `The module did not load: ${e && e.message ? e.message : e}`;
    },
  );
})();
