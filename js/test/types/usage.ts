// Type-checked by types.test.js (tsc --strict), never run: the package's declarations
// must accept what the README shows and refuse what is wrong (each @ts-expect-error
// line must be an error, or tsc fails).

import * as kuracloud from '../../index.js';
import type { ErrorCode, GradeSyncOutcome, KuracloudError, Step, StudentSyncInput } from '../../index.js';
import * as web from '../../web.js';

const connection = { api_url: 'https://api.kuracloud.com', token: 't' };

export async function usage(): Promise<void> {
  const input: StudentSyncInput = {
    connection,
    course_id: 101,
    students: [{ user_id: 11, email: 'ana@example.edu', first_name: 'Ana', groups: ['Lab A'] }],
    links: [{ user_id: 11, student_id: 1001 }],
  };
  const preview = await kuracloud.run('students.preview', input, { onProgress: (p) => p.done / p.total });
  const fingerprint: string = preview.plan.fingerprint;
  const reasons: string[] = preview.plan.entries.map((entry) => kuracloud.renderReason(entry));
  const review: string | null = preview.plan.needs_review && kuracloud.renderText(preview.plan.needs_review);
  // @ts-expect-error: not a text code
  kuracloud.renderText({ code: 'no_such_code', params: {} });
  void reasons;
  void review;
  const applied = await kuracloud.run('students.apply', { ...input, fingerprint });
  if (applied.status === 'partial') {
    const code: ErrorCode | undefined = applied.error?.code;
    void code;
  }
  // @ts-expect-error: a preview has no status
  void preview.status;

  const grades: GradeSyncOutcome = await kuracloud.run('grades.sync', { connection, course_id: 101, students: [] });
  if (grades.status === 'synced') {
    void grades.items[0]?.writes[0]?.grade;
  } else {
    // @ts-expect-error: no items until students are in step
    void grades.items;
  }

  // @ts-expect-error: not the input of connection.verify
  await kuracloud.run('connection.verify', { course_id: 1 });
  // @ts-expect-error: no such workflow
  await kuracloud.run('students.sync', input);

  const run: kuracloud.Workflow = new kuracloud.Workflow();
  const step: Step<kuracloud.VerifyOutcome> = run.start('connection.verify', { connection });
  if ('effect' in step && 'http' in step.effect) {
    const headers: [string, string][] = step.effect.http.headers;
    run.resumeHttp(200, new TextEncoder().encode(JSON.stringify(headers)));
  } else if ('done' in step) {
    void step.done.instance_id;
  }
  run.resume({ transport_error: { kind: 'timeout', message: 'slow' } });
  run.free();

  try {
    await kuracloud.run('mapping.create', { connection, course_id: 1, moodle_course_name: null });
  } catch (error) {
    if (kuracloud.isKuracloudError(error)) {
      const failed: KuracloudError = error;
      const status: number | undefined = failed.status;
      const english: string = kuracloud.renderText(failed.text);
      void status;
      void english;
    }
  }
  const info = kuracloud.info();
  void info.workflows.includes('grades.sync');

  await web.load();
  const checked = await web.run('mappings.check', { connections: [{ connection_id: 1, ...connection }], mappings: [] });
  void checked.mappings.map((m) => m.status);
  await kuracloud.default.run('courses.list', { connections: [] }, { fetch: globalThis.fetch, signal: AbortSignal.timeout(1000) });
}
