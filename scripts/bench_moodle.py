"""Drives block_kuracloud's pages over HTTP as a teacher, in the harness Moodle, against
the simulator, and prints each page's time beside a plain Moodle page (the floor).
Run by scripts/bench-moodle.sh, which prepares Moodle, the simulator and the courses."""
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

BASE = os.environ.get('MOODLE_WWWROOT', 'http://127.0.0.1:%s' % os.environ.get('MOODLE_PORT', '8080')).rstrip('/')
SIM = os.environ['SIM_URL']
MOODLE_DIR = os.environ['MOODLE_DIR']
REVISIONS = 20


def sim(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(SIM + '/_control/' + path, data=data, method=method)
    with urllib.request.urlopen(req) as r:
        text = r.read()
    return json.loads(text) if text else None


def api_calls():
    return len(sim('GET', 'requests'))


class Browser:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path, data=None):
        body = None if data is None else urllib.parse.urlencode(data).encode()
        start = time.perf_counter()
        with self.opener.open(BASE + path, body, timeout=600) as r:
            html = r.read().decode('utf-8', 'replace')
        return html, time.perf_counter() - start

    def login(self, user, password):
        html, _ = self.get('/login/index.php')
        token = re.search(r'name="logintoken" value="([^"]+)"', html).group(1)
        html, _ = self.get('/login/index.php', {'username': user, 'password': password, 'logintoken': token})
        self.sesskey = re.search(r'"sesskey":"([^"]+)"', html).group(1)


def best(browser, path, runs=3):
    return min(browser.get(path)[1] for _ in range(runs))


def php(*args):
    return subprocess.run(['php', *args], check=True, capture_output=True, text=True).stdout


def run_adhoc():
    """Runs the queued background grade sync; its time and its own per-phase timings."""
    start = time.perf_counter()
    out = php(os.path.join(MOODLE_DIR, 'admin/cli/adhoc_task.php'), '--execute',
              '--classname=\\block_kuracloud\\task\\grade_sync_task')
    took = time.perf_counter() - start
    m = re.search(r'kuraCloud grade sync: (\{.*\})', out)
    return took, (json.loads(m.group(1)) if m else None)


def rows(courseid):
    return json.loads(php('scripts/moodle-cli.php', 'rows', '--course=%d' % courseid))


def grades_state(state):
    """20 revisions of 3 questions each, every kuraCloud student graded."""
    course = state['instances'][0]['courses'][0]
    ids = [s['studentId'] for s in course['students'] if not s['deleted']]
    revisions = []
    for r in range(REVISIONS):
        revisions.append({'publishedRevisionId': 9000 + r, 'publishedRevisionTitle': 'Lab %d' % (r + 1),
                          'questions': [{'questionId': q, 'maxGrade': 5} for q in (1, 2, 3)],
                          'grades': [{'studentId': sid, 'gradeOffset': None,
                                      'questionGrades': [{'questionId': q, 'questionGrade': (sid + r + q) % 6}
                                                         for q in (1, 2, 3)]} for sid in ids]})
    course['lessons'] = [{'publishedContentId': 8000, 'publishedLessonId': 8001, 'publishedLessonTitle': 'Labs',
                          'revisions': revisions}]
    return state


def grades_changed(state):
    """kuraCloud regrades every lesson: one point more for each student (kept within the maximum)."""
    for revision in state['instances'][0]['courses'][0]['lessons'][0]['revisions']:
        for grade in revision['grades']:
            grade['gradeOffset'] = 1.0
    return state


def bench(students, courseid, shortname):
    out = {'students': students}
    b = Browser()
    b.login('%s_teacher1' % shortname.lower(), 'Test-Pass-123!')
    out['floor'] = best(b, '/course/view.php?id=%d' % courseid, 7)

    sim('DELETE', 'requests')
    html, t = b.get('/blocks/kuracloud/syncusers.php?courseid=%d' % courseid)
    out['preview'] = min(t, best(b, '/blocks/kuracloud/syncusers.php?courseid=%d' % courseid, 6))
    out['preview_api'] = api_calls() // 7
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', html).group(1)

    sim('DELETE', 'requests')
    html, out['apply'] = b.get('/blocks/kuracloud/syncusers.php', {'courseid': courseid, 'confirm': 1,
                                                                    'fingerprint': fingerprint, 'sesskey': b.sesskey,
                                                                    'allowmassremoval': 1})
    assert 'The student sync is complete' in html, html[-3000:]
    out['apply_api'] = api_calls()
    out['apply_rows'] = rows(courseid)['links']

    sim('PUT', 'state', grades_state(sim('GET', 'state')))
    for run in ('first', 'unchanged', 'changed'):
        if run == 'changed':
            sim('PUT', 'state', grades_changed(sim('GET', 'state')))
        sim('DELETE', 'requests')
        html, t = b.get('/blocks/kuracloud/syncgrades.php?courseid=%d&confirm=1&sesskey=%s' % (courseid, b.sesskey))
        out['grades_%s_page' % run] = t
        if 'runs in the background' in html:
            out['grades_%s_task' % run], out['grades_%s_task_detail' % run] = run_adhoc()
        out['grades_%s_api' % run] = api_calls()
        out['grades_%s_rows' % run] = rows(courseid)
    return out


def main():
    results = [bench(int(n), int(c), s) for n, c, s in (a.split(':') for a in sys.argv[1:])]
    cols = ['students', 'floor', 'preview', 'apply', 'grades_first_page', 'grades_first_task',
            'grades_unchanged_page', 'grades_unchanged_task', 'grades_changed_page', 'grades_changed_task']
    print('| ' + ' | '.join(cols) + ' |')
    print('|' + '---|' * len(cols))
    for r in results:
        print('| ' + ' | '.join(('%.3f s' % r[c]) if isinstance(r.get(c), float) else str(r.get(c, '-')) for c in cols) + ' |')
    print()
    print(json.dumps(results, indent=1))


if __name__ == '__main__':
    main()
