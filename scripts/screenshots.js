// Screenshots of every page of block_kuracloud, from a real Moodle (../shared/moodle)
// in headless Chromium, walking the user guide: connection, mapping, student sync,
// grade sync, removal. Run by scripts/screenshots.sh; needs playwright-core (the
// harness installs it) and the simulator at KC_SIM_URL.
const fs = require('fs');
const os = require('os');
const path = require('path');
const pw = require('playwright-core');
const { spawnSync } = require('child_process');

// The harness Moodle's CLI: plugin settings, and cron's ad hoc tasks. A PHP warning or
// a debugging notice there (a background sync runs here) fails the walk like one on a page.
function moodleCli(...args) {
  const run = spawnSync('php', args, { cwd: path.join(__dirname, '..'), env: process.env, encoding: 'utf8' });
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0) throw new Error(`php ${args.join(' ')} failed (${run.status}):\n${output}`);
  const noise = output.split('\n').filter((line) =>
    /^(PHP )?(Warning|Notice|Deprecated|Fatal error)\b|^\+\+ (?!Success)|Debug info:/.test(line));
  if (noise.length) throw new Error(`php ${args.join(' ')} printed debugging output:\n${noise.join('\n')}`);
  return run.stdout;
}

const base = (process.env.MOODLE_WWWROOT || 'http://127.0.0.1:8080').replace(/\/$/, '');
const sim = process.env.KC_SIM_URL;
const courseid = process.env.KC_COURSE_ID;
const out = process.env.KC_SHOTS || path.join(__dirname, '..', 'docs', 'screenshots');
fs.mkdirSync(out, { recursive: true });

async function login(page, user, pass) {
  await page.goto(`${base}/login/logout.php`, { waitUntil: 'networkidle' });
  const confirm = page.locator('form[action*="logout.php"] button[type="submit"]');
  if (await confirm.count()) await Promise.all([page.waitForLoadState('networkidle'), confirm.first().click()]);
  for (let attempt = 0; attempt < 2; attempt++) {
    await page.goto(`${base}/login/index.php`, { waitUntil: 'networkidle' });
    await page.fill('#username', user);
    await page.fill('#password', pass);
    await page.click('#loginbtn');
    await page.waitForLoadState('networkidle');
    if (!new URL(page.url()).pathname.startsWith('/login/')) return;
  }
  throw new Error(`login as ${user} failed`);
}

// Everything DEVELOPER debugging and the browser can report; any of it fails the walk.
const jsErrors = [];

async function problems(page) {
  const found = [];
  if ((await page.locator('.debuggingmessage, .notifytiny').count()) > 0) found.push('a debugging notice');
  const html = await page.content();
  const php = html.match(/<b>(Warning|Notice|Deprecated|Fatal error|Parse error)<\/b>:[^<]*/);
  if (php) found.push(`PHP ${php[0].replace(/<[^>]+>/g, '')}`);
  if (/Debug info:|Stack trace:|Error code: generalexceptionmessage/.test(html)) found.push('an exception page');
  found.push(...jsErrors.splice(0).map((e) => `uncaught JavaScript error: ${e}`));
  return found;
}

async function shot(page, name, expect) {
  await page.waitForLoadState('networkidle');
  const drawer = page.locator('button[data-toggler="drawers"][data-action="toggle"][data-target="theme_boost-drawers-blocks"]');
  if (await drawer.count() && await drawer.first().isVisible()) {
    await drawer.first().click();
    await page.locator('#theme_boost-drawers-blocks.show').waitFor({ timeout: 5000 }).catch(() => {});
  }
  const text = await page.locator('body').innerText();
  for (const e of [].concat(expect || [])) {
    if (!text.includes(e)) throw new Error(`${name}: expected "${e}" on ${page.url()}`);
  }
  const bad = await problems(page);
  if (bad.length) throw new Error(`${name}: ${bad.join('; ')} on ${page.url()}`);
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  console.log(`${name}.png  ${page.url()}`);
}

async function go(page, rel) {
  await page.goto(base + rel, { waitUntil: 'networkidle' });
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-shots-'));
  const ctx = await pw.chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const host = new URL(base).host;
  await ctx.route('**/*', (r) => (new URL(r.request().url()).host === host ? r.continue() : r.abort()));
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('pageerror', (e) => jsErrors.push(e.message));
  try {
    // Administrator: the connection.
    await login(page, 'admin', process.env.MOODLE_ADMIN_PASS || 'Admin-Pass-123!');
    await go(page, '/admin/settings.php?section=blocksettingkuracloud');
    await shot(page, '01-block-settings', 'kuraCloud connections');
    await go(page, '/blocks/kuracloud/connections.php');
    await shot(page, '02-connections-empty', 'There are no kuraCloud connections yet');
    await go(page, '/blocks/kuracloud/connections.php?action=add');
    // The user guide: "Select Click to enter text", then enter the token.
    await page.locator('[data-passwordunmask="edit"]').first().click();
    await page.fill('#id_token', 'wrong-token');
    await page.fill('#id_apiurl', sim);
    await page.click('#id_submitbutton');
    await shot(page, '03-connection-refused', 'refused the token');
    if (!(await page.locator('#id_token').isVisible())) await page.locator('[data-passwordunmask="edit"]').first().click();
    await page.fill('#id_token', 'demo-token');
    await page.fill('#id_apiurl', sim);
    await page.click('#id_submitbutton');
    await shot(page, '04-connection-saved', ['Connected to kuraCloud instance "Demo University"', 'Demo University',
      process.env.KC_RUNTIME === 'php' ? 'kuraCloud runs as PHP' : 'kuraCloud runs in the kuracloud PHP extension']);
    await page.locator('a[aria-label="Edit"]').first().click();
    await shot(page, '04b-connection-categories', ['Course categories', 'Demo University']);
    await go(page, '/blocks/kuracloud/connections.php');

    // Teacher: map the course.
    await login(page, 'kc101_teacher1', 'Test-Pass-123!');
    await go(page, `/course/view.php?id=${courseid}`);
    await shot(page, '05-course-not-mapped', 'Setup kuraCloud mapping');
    await go(page, `/blocks/kuracloud/mapping.php?courseid=${courseid}`);
    await page.locator('.form-autocomplete-downarrow').first().click();
    await page.locator('.form-autocomplete-suggestions li', { hasText: 'Physiology 101' }).first().click();
    await shot(page, '06-setup-mapping', 'Demo University: Physiology 101');
    await page.click('#id_submitbutton');
    await shot(page, '07-course-mapped', ['Mapped to kuraCloud course "Physiology 101"', 'Sync user enrolments']);

    // Grades before students: redirected to the student sync.
    await go(page, `/blocks/kuracloud/syncgrades.php?courseid=${courseid}`);
    await shot(page, '08-sync-preview-after-grades-redirect', ['have not been synchronised', 'CARE REQUIRED']);
    await go(page, `/blocks/kuracloud/syncusers.php?courseid=${courseid}`);
    await shot(page, '09-sync-preview', ['CARE REQUIRED', 'Students that exist in your kuraCloud course']);
    await page.click('form button[type="submit"].btn-primary');
    await shot(page, '10-sync-result', 'The student sync is complete');

    await go(page, `/blocks/kuracloud/syncgrades.php?courseid=${courseid}`);
    await shot(page, '11-grades-confirm', 'never overwritten');
    await page.locator('.modal-footer button.btn-primary, form button.btn-primary').first().click();
    await shot(page, '12-grades-result', 'Grades synchronised from kuraCloud');
    await go(page, `/grade/report/grader/index.php?id=${courseid}`);
    await shot(page, '13-gradebook', 'Nerve conduction (2024)');

    // A revision gone from kuraCloud: its item is kept and named in the result.
    await fetch(`${sim}/_control/state`).then((r) => r.json()).then((state) => {
      state.instances[0].courses[0].lessons[0].revisions.pop();
      return fetch(`${sim}/_control/state`, { method: 'PUT', body: JSON.stringify(state) });
    });
    await go(page, `/blocks/kuracloud/syncgrades.php?courseid=${courseid}`);
    await page.locator('.modal-footer button.btn-primary, form button.btn-primary').first().click();
    await shot(page, '12b-grades-result-missing-item', ['No longer in kuraCloud (kept in the gradebook, not deleted)']);

    // kuraCloud fails: a clear message, never Moodle's error page.
    await fetch(`${sim}/_control/faults`, { method: 'POST',
      body: JSON.stringify({ route: 'student.list', status: 503, message: 'Maintenance until 18:00 <b>UTC</b>' }) });
    await go(page, `/blocks/kuracloud/syncusers.php?courseid=${courseid}`);
    await shot(page, '12c-kuracloud-error', ['kuraCloud could not be reached or refused the request']);
    await fetch(`${sim}/_control/faults`, { method: 'DELETE' });

    await go(page, `/blocks/kuracloud/history.php?courseid=${courseid}`);
    await shot(page, '14-history', ['Sync history', 'Students', 'Grades', 'Grades written', 'Applied']);

    // A big sync goes to the background (threshold lowered for the walk): live progress on
    // the page and in the block, then cron runs it.
    moodleCli('scripts/moodle-cli.php', 'config', '--name=backgroundthreshold', '--value=1');
    await go(page, `/blocks/kuracloud/syncgrades.php?courseid=${courseid}`);
    await page.locator('.modal-footer button.btn-primary, form button.btn-primary').first().click();
    await shot(page, '14b-background-sync', ['This sync runs in the background', 'Queued']);
    await go(page, `/course/view.php?id=${courseid}`);
    await shot(page, '14c-block-background-sync', 'Sync in progress');
    moodleCli(path.join(process.env.MOODLE_DIR || '/tmp/moodle', 'admin/cli/adhoc_task.php'), '--execute',
      '--classname=\\block_kuracloud\\task\\grade_sync_task');
    moodleCli('scripts/moodle-cli.php', 'config', '--name=backgroundthreshold');
    await go(page, `/message/output/popup/notifications.php`);
    await shot(page, '14d-notification', 'kuraCloud sync finished');
    await go(page, `/course/view.php?id=${courseid}`);
    await page.locator('a', { hasText: 'Turn on' }).first().click();
    await shot(page, '15-automatic-sync-on', 'Automatic sync is on');
    await go(page, `/blocks/kuracloud/mapping.php?courseid=${courseid}&action=remove`);
    await shot(page, '16-remove-mapping', 'Student accounts that were synchronized from Moodle will remain');

    await login(page, 'admin', process.env.MOODLE_ADMIN_PASS || 'Admin-Pass-123!');
    await go(page, '/blocks/kuracloud/history.php');
    await shot(page, '16b-history-site', ['Sync history', 'Course', 'Students', 'Grades']);
    await go(page, '/blocks/kuracloud/connections.php');
    await shot(page, '17-connections', 'Demo University');
    await page.locator('a[aria-label="Delete"]').first().click();
    await shot(page, '18-delete-connection', 'Nothing is deleted in kuraCloud');
  } finally {
    await ctx.close();
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
