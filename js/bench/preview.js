// Benchmark (figures, not a test): the 5,000-student preview through the Node package.
// The data is host-runner's (host-runner/benches/common/preview_data.rs and
// php-ext/bench/bench.php): 5,000 Moodle students against 4,800 active and 200 deleted
// kuraCloud students (4,000 unchanged, 300 updates, 200 email changes, 200 restores, 300
// adds, 300 deletes).
//
// 1. kuraCloud answered from memory (as host-runner's benchmark does): `run` with a fetch
//    that returns the prepared bodies; and per step through the low-level Workflow.
// 2. End to end against the simulator over loopback HTTP with the global fetch (as the
//    PHP extension's benchmark does).
//
// Usage: node js/bench/preview.js [SIM_URL]   (js/bench.sh starts a simulator)

import { performance } from 'node:perf_hooks';

const started = performance.now();
const kuracloud = await import('../node.js');
const loadMs = performance.now() - started;

function kcStudent(id, email, given) {
  return {
    studentId: id, email, givenName: given, familyName: 'Bench', inviteComplete: true,
    createdDate: 1, externalStudentId: `ID${id}`, section: 'Lab A',
  };
}

function moodleStudent(i) {
  return { user_id: i, email: `s${i}@uni.example`, first_name: 'Student', last_name: 'Bench', idnumber: `ID${i}`, groups: ['Lab A'] };
}

/** preview_data.rs's PreviewData::generate. */
function previewData() {
  const moodle = Array.from({ length: 5000 }, (_, i) => moodleStudent(i));
  const active = [];
  const deleted = [];
  const links = [];
  for (let i = 0; i < 5000; i++) {
    const email = `s${i}@uni.example`;
    if (i < 4000) active.push(kcStudent(i, email, 'Student'));
    else if (i < 4300) active.push(kcStudent(i, email, 'Renamed'));
    else if (i < 4500) active.push(kcStudent(i, `old${i}@uni.example`, 'Student'));
    else if (i < 4700) deleted.push(kcStudent(i, email, 'Student'));
    if (i < 4700) links.push({ user_id: i, student_id: i });
  }
  for (let i = 0; i < 300; i++) active.push(kcStudent(10_000 + i, `x${i}@uni.example`, 'Gone'));
  const encode = (v) => new TextEncoder().encode(JSON.stringify(v));
  return {
    input: { connection: { api_url: 'http://bench.invalid', token: 't' }, course_id: 1, students: moodle, links },
    activeBody: encode(active),
    deletedBody: encode(deleted),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ms = (v) => `${v.toFixed(1)} ms`;
const data = previewData();
const memoryFetch = async (url) =>
  new Response(url.endsWith('?deleted=true') ? data.deletedBody : data.activeBody, { status: 200 });

// 1a. run() with kuraCloud in memory; the first run is the cold one.
const times = [];
let counts;
for (let n = 0; n < 16; n++) {
  const t = performance.now();
  const outcome = await kuracloud.run('students.preview', data.input, { fetch: memoryFetch });
  times.push(performance.now() - t);
  counts = outcome.plan.counts;
}
const cold = times.shift();
console.log(`node ${process.versions.node}; loading the package (module compiled): ${ms(loadMs)}`);
console.log(`students.preview 5,000 x 5,000, kuraCloud from memory, run(): median ${ms(median(times))} (min ${ms(Math.min(...times))}; first run ${ms(cold)})`);
console.log(`  plan counts: ${JSON.stringify(counts)}`);
console.log(`  input ${JSON.stringify(data.input).length >> 10} KiB as JSON, kuraCloud bodies ${(data.activeBody.length + data.deletedBody.length) >> 10} KiB`);

// 1b. Per step, through the Workflow class.
const steps = { start: [], active: [], deleted: [], parse: [] };
for (let n = 0; n < 15; n++) {
  const run = new kuracloud.Workflow();
  let t = performance.now();
  let step = run.start('students.preview', data.input);
  steps.start.push(performance.now() - t);
  // progress, http (active), progress, http (deleted), progress, done
  while ('effect' in step) {
    const effect = step.effect;
    if (effect.http) {
      const deletedRead = effect.http.url.endsWith('?deleted=true');
      t = performance.now();
      step = run.resumeHttp(200, deletedRead ? data.deletedBody : data.activeBody);
      (deletedRead ? steps.deleted : steps.active).push(performance.now() - t);
    } else {
      t = performance.now();
      step = run.resume({});
      if ('done' in step) steps.parse.push(performance.now() - t);
    }
  }
  run.free();
}
console.log(
  `  per step (medians): start, reading the Moodle snapshot from JavaScript ${ms(median(steps.start))}; ` +
    `active roster ${ms(median(steps.active))}; deleted roster ${ms(median(steps.deleted))}; ` +
    `planning, outcome JSON and JSON.parse ${ms(median(steps.parse))}`,
);

// 2. End to end against the simulator.
const sim = process.argv[2];
if (sim) {
  const state = await (await fetch(`${sim}/_control/state`)).json();
  const students = [];
  for (let i = 0; i < 5000; i++) {
    if (i >= 4700) continue;
    const email = i >= 4300 && i < 4500 ? `old${i}@uni.example` : `s${i}@uni.example`;
    students.push({ ...kcStudent(i + 1, email, i >= 4000 && i < 4300 ? 'Renamed' : 'Student'), externalStudentId: `ID${i}`, deleted: i >= 4500 });
  }
  for (let i = 0; i < 300; i++) {
    students.push({ ...kcStudent(20_000 + i, `x${i}@uni.example`, 'Gone'), externalStudentId: '', section: '', deleted: false });
  }
  state.instances[0].courses[0].students = students;
  await fetch(`${sim}/_control/state`, { method: 'PUT', body: JSON.stringify(state) });
  const input = {
    connection: { api_url: sim, token: 'demo-token' },
    course_id: 101,
    students: data.input.students,
    links: data.input.links.map((l) => ({ user_id: l.user_id, student_id: l.user_id + 1 })),
  };
  const http = [];
  for (let n = 0; n < 11; n++) {
    const t = performance.now();
    const outcome = await kuracloud.run('students.preview', input);
    http.push(performance.now() - t);
    counts = outcome.plan.counts;
  }
  http.shift();
  console.log(`students.preview 5,000 students end to end (2 HTTP reads over loopback with fetch): median ${ms(median(http))}; counts ${JSON.stringify(counts)}`);
}
