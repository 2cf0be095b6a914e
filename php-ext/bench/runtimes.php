<?php
// Benchmarks of one module runtime (figures, not tests): `php runtimes.php ext|php`.
// The same workloads under the extension and under the generated PHP, one runtime per
// process (the extension's exception class cannot be instantiated from PHP, and a
// fresh process measures each alone). Prints one line per figure: name, then JSON.
// Run by scripts/bench-php.sh, which sets KC_SIM_URL, KC_WASM and KC_PHP_MODULE.
//
// - preview N: students.preview of N students end to end (json_encode of the input,
//   the two roster reads over loopback from the simulator with curl, the module,
//   json_decode of the outcome); a fresh instance per run, like the block.
// - grades N: grades.sync of N grades (N / 2,000 revisions x 2,000 students, half
//   the items already in Moodle), kuraCloud answered from memory.

use block_kuracloud\local\wasm\effect_loop;
use block_kuracloud\local\wasm\php_module;
use block_kuracloud\local\wasm\transport;

$root = dirname(__DIR__, 2);
require $root . '/moodle-block/classes/local/wasm/transport.php';
require $root . '/moodle-block/classes/local/wasm/workflow_exception.php';
require $root . '/moodle-block/classes/local/wasm/effect_loop.php';
require $root . '/moodle-block/classes/local/wasm/php_module.php';
require $root . '/moodle-block/classes/local/wasm/php_instance.php';
require $root . '/php-ext/tests/curl_transport.php';

$runtime = $argv[1] ?? '';
$what = array_slice($argv, 2);
$sim = rtrim((string)getenv('KC_SIM_URL'), '/');
if (!in_array($runtime, ['ext', 'php'], true) || ($runtime === 'ext') !== extension_loaded('kuracloud')) {
    fwrite(STDERR, "usage: runtimes.php ext|php [preview N | grades N]... (ext needs the extension loaded, php needs it absent)\n");
    exit(2);
}
$module = $runtime === 'ext' ? new KuracloudWasm\Module((string)getenv('KC_WASM')) : new php_module((string)getenv('KC_PHP_MODULE'));

/** Answers kuraCloud from memory, by the end of the URL. */
final class memory_transport implements transport {
    public function __construct(private array $routes) {
    }

    public function send(string $method, string $url, array $headers, ?string $body, int $timeoutms): array {
        foreach ($this->routes as $suffix => $answer) {
            if (str_ends_with(parse_url($url, PHP_URL_PATH) . (parse_url($url, PHP_URL_QUERY) ? '?' . parse_url($url, PHP_URL_QUERY) : ''), $suffix)) {
                return ['status' => 200, 'body' => $answer];
            }
        }
        return ['status' => 404, 'body' => '{"message":"no route"}'];
    }
}

function median(array $v): float {
    sort($v);
    return $v[intdiv(count($v), 2)];
}

function report(string $name, array $fields): void {
    echo $name, ' ', json_encode($fields), "\n";
}

/** The 5,000-student preview data of php-ext/bench/bench.php, scaled to $n students. */
function preview_input(string $sim, int $n): array {
    $state = json_decode(file_get_contents($sim . '/_control/state'), true);
    $students = [];
    $moodle = [];
    $links = [];
    $f = $n / 5000;
    for ($i = 0; $i < $n; $i++) {
        $email = "s$i@uni.example";
        $moodle[] = ['user_id' => $i, 'email' => $email, 'first_name' => 'Student', 'last_name' => 'Bench',
            'idnumber' => "ID$i", 'groups' => ['Lab A']];
        if ($i < 4700 * $f) {
            $links[] = ['user_id' => $i, 'student_id' => $i + 1];
            $given = $i >= 4000 * $f && $i < 4300 * $f ? 'Renamed' : 'Student';
            $kcemail = $i >= 4300 * $f && $i < 4500 * $f ? "old$i@uni.example" : $email;
            $students[] = ['studentId' => $i + 1, 'email' => $kcemail, 'givenName' => $given, 'familyName' => 'Bench',
                'inviteComplete' => true, 'createdDate' => 1, 'externalStudentId' => "ID$i", 'section' => 'Lab A',
                'deleted' => $i >= 4500 * $f];
        }
    }
    for ($i = 0; $i < 300 * $f; $i++) {
        $students[] = ['studentId' => 200000 + $i, 'email' => "x$i@uni.example", 'givenName' => 'Gone', 'familyName' => 'Bench',
            'inviteComplete' => true, 'createdDate' => 1, 'externalStudentId' => '', 'section' => '', 'deleted' => false];
    }
    $state['instances'][0]['courses'][0]['students'] = $students;
    $ch = curl_init($sim . '/_control/state');
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => 'PUT', CURLOPT_POSTFIELDS => json_encode($state), CURLOPT_RETURNTRANSFER => true]);
    curl_exec($ch);
    return ['connection' => ['api_url' => $sim, 'token' => 'demo-token'], 'course_id' => 101, 'students' => $moodle, 'links' => $links];
}

/** N grades: N / 2,000 revisions x 2,000 students, half the items already in Moodle. */
function grades_input(int $n): array {
    $students = 2000;
    $revisions = max(1, intdiv($n, $students));
    $moodle = [];
    $links = [];
    $active = [];
    for ($i = 0; $i < $students; $i++) {
        $moodle[] = ['user_id' => $i, 'email' => "s$i@uni.example", 'first_name' => 'Student', 'last_name' => 'Bench',
            'idnumber' => "ID$i", 'groups' => ['Lab A']];
        $links[] = ['user_id' => $i, 'student_id' => $i];
        $active[] = ['studentId' => $i, 'email' => "s$i@uni.example", 'givenName' => 'Student', 'familyName' => 'Bench',
            'inviteComplete' => true, 'createdDate' => 1, 'externalStudentId' => "ID$i", 'section' => 'Lab A', 'deleted' => false];
    }
    $lessons = [];
    $items = [];
    for ($r = 0; $r < $revisions; $r++) {
        $grades = [];
        $state = [];
        for ($s = 0; $s < $students; $s++) {
            $g = (($s + $r) % 11) / 2.0;
            $grades[] = ['studentId' => $s, 'gradeOffset' => $s % 7 === 0 ? 0.5 : null,
                'questionGrades' => [['questionId' => 1, 'questionGrade' => $g],
                    ['questionId' => 2, 'questionGrade' => $s % 5 === 0 ? null : 1.0], ['questionId' => 3, 'questionGrade' => 2.0]]];
            $v = min(10.0, $g + ($s % 5 === 0 ? 0.0 : 1.0) + 2.0 + ($s % 7 === 0 ? 0.5 : 0.0));
            $state[] = ['user_id' => $s, 'current' => $v, 'last_written' => $v];
        }
        $lessons[] = ['publishedContentId' => 1, 'publishedLessonId' => 1000 + intdiv($r, 4), 'publishedLessonTitle' => 'Lesson',
            'gradedPublishedRevisions' => [['publishedRevisionId' => $r, 'publishedRevisionTitle' => "Revision $r",
                'questions' => [['questionId' => 1, 'maxGrade' => 5.0], ['questionId' => 2, 'maxGrade' => 1.0], ['questionId' => 3, 'maxGrade' => 4.0]],
                'studentGrades' => $grades]]];
        if ($r % 2 === 0) {
            $items[] = ['lesson_id' => 1000 + intdiv($r, 4), 'revision_id' => $r, 'item_id' => $r, 'name' => "Revision $r",
                'grademax' => 10.0, 'grades' => $state];
        }
    }
    $routes = [
        '/student?deleted=true' => '[]',
        '/student' => json_encode($active),
        '/exportgrades.json' => '{"taskToken":"t1"}',
        '/exportgrades.json/t1' => '{"status":"SUCCEEDED"}',
        '/t1/download' => json_encode($lessons),
    ];
    return [['connection' => ['api_url' => 'http://bench.invalid', 'token' => 't'], 'course_id' => 1,
        'students' => $moodle, 'links' => $links, 'items' => $items, 'poll' => ['initial_ms' => 1]], $routes];
}

/** CPU time of this process so far, ms (PHP's own work: the simulator is another process). */
function cpu_ms(): float {
    $r = getrusage();
    return ($r['ru_utime.tv_sec'] + $r['ru_stime.tv_sec']) * 1e3 + ($r['ru_utime.tv_usec'] + $r['ru_stime.tv_usec']) / 1e3;
}

/** Runs a workflow $runs times on fresh instances: median and min ms, peaks. */
function measure(object $module, transport $transport, string $workflow, array $input, int $runs): array {
    $times = [];
    $cpu = [];
    $peak = 0;
    $out = null;
    memory_reset_peak_usage();
    $base = memory_get_usage();
    for ($n = 0; $n < $runs; $n++) {
        // Keeps the instance the loop makes, for its memory figure.
        $spy = new class($module) {
            public ?object $last = null;
            public function __construct(private object $module) {
            }
            public function instantiate(int $memorymb = 512, int $timelimitms = 30000): object {
                return $this->last = $this->module->instantiate($memorymb, $timelimitms);
            }
        };
        $loop = new effect_loop($spy, $transport, static function (int $ms): void {
        });
        $t = hrtime(true);
        $c = cpu_ms();
        $out = $loop->run($workflow, $input);
        $times[] = (hrtime(true) - $t) / 1e6;
        $cpu[] = cpu_ms() - $c;
        $peak = max($peak, $spy->last->memoryBytes());
    }
    return ['median_ms' => round(median($times), 1), 'min_ms' => round(min($times), 1),
        'cpu_median_ms' => round(median($cpu), 1), 'runs' => $runs,
        'module_memory_mib' => round($peak / 1048576, 1),
        'php_peak_mib' => round((memory_get_peak_usage() - $base) / 1048576, 1), 'out' => $out];
}

for ($i = 0; $i + 1 < count($what); $i += 2) {
    $n = (int)$what[$i + 1];
    if ($what[$i] === 'preview') {
        $input = preview_input($sim, $n);
        $r = measure($module, new curl_transport(), 'students.preview', $input, $n >= 10000 ? 3 : ($n >= 2000 ? 5 : 20));
        $r['counts'] = $r['out']['plan']['counts'];
        unset($r['out']);
        report("preview $n", $r);
    } else if ($what[$i] === 'grades') {
        [$input, $routes] = grades_input($n);
        $r = measure($module, new memory_transport($routes), 'grades.sync', $input, 3);
        $r['totals'] = $r['out']['totals'] ?? null;
        unset($r['out']);
        report("grades $n", $r);
    }
}
