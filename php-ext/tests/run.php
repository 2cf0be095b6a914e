<?php
// PHP tests for both module runtimes and the effect loop: the real kuracloud.wasm
// through the extension (KuracloudWasm\*, "ext") and through the PHP generated from it
// (php_module, "php"), against the simulator over HTTP. Every test runs under each
// runtime available: the extension when loaded, the generated PHP when KC_PHP_MODULE
// names it. Plain runner; prints "runtime NAME: N passed, N failed" per runtime, and
// last "N passed, N failed". Needs KC_SIM_URL and KC_WASM (scripts/test-php.sh sets
// everything).

use block_kuracloud\local\wasm\effect_loop;
use block_kuracloud\local\wasm\php_module;
use block_kuracloud\local\wasm\workflow_exception;

$root = dirname(__DIR__, 2);
require $root . '/moodle-block/classes/local/wasm/transport.php';
require $root . '/moodle-block/classes/local/wasm/workflow_exception.php';
require $root . '/moodle-block/classes/local/wasm/effect_loop.php';
require $root . '/moodle-block/classes/local/wasm/php_module.php';
require $root . '/moodle-block/classes/local/wasm/php_instance.php';
require __DIR__ . '/curl_transport.php';

$sim = rtrim((string)getenv('KC_SIM_URL'), '/');
$wasm = (string)getenv('KC_WASM');
$phpmodule = (string)getenv('KC_PHP_MODULE');
$runtimes = [];
if (extension_loaded('kuracloud')) {
    $runtimes[] = 'ext';
}
if ($phpmodule !== '') {
    $runtimes[] = 'php';
}
if (getenv('KC_RUNTIME') !== false) {
    $runtimes = array_values(array_intersect($runtimes, [getenv('KC_RUNTIME')]));
}
if ($sim === '' || $wasm === '' || !$runtimes) {
    fwrite(STDERR, "needs KC_SIM_URL, KC_WASM, and the kuracloud extension or KC_PHP_MODULE (run scripts/test-php.sh)\n");
    exit(2);
}
/** The runtime the current test runs under: 'ext' or 'php'. */
$runtime = $runtimes[0];

/** The module under the current runtime. */
function module(): object {
    global $runtime, $wasm, $phpmodule;
    return $runtime === 'ext' ? new KuracloudWasm\Module($wasm) : new php_module($phpmodule);
}

function control(string $method, string $path, ?string $body = null): string {
    global $sim;
    $ch = curl_init($sim . '/_control/' . $path);
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $method, CURLOPT_RETURNTRANSFER => true]);
    if ($body !== null) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    }
    $out = curl_exec($ch);
    curl_close($ch);
    return (string)$out;
}

function api(string $method, string $path, string $body): void {
    global $sim;
    $ch = curl_init($sim . $path);
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $method, CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ['X-Kura-Token: demo-token'], CURLOPT_POSTFIELDS => $body]);
    curl_exec($ch);
    curl_close($ch);
}

function check(bool $condition, string $what): void {
    if (!$condition) {
        throw new RuntimeException($what);
    }
}

function loop(?array &$sleeps = null, ?array &$progress = null, int $memorymb = 512, int $timems = 30000): effect_loop {
    global $wasm;
    $sleeps = [];
    $progress = [];
    return new effect_loop(
        module(),
        new curl_transport(),
        function (int $ms) use (&$sleeps) { $sleeps[] = $ms; },
        function (string $stage, int $done, int $total) use (&$progress) { $progress[] = [$stage, $done, $total]; },
        $memorymb,
        $timems
    );
}

function conn(): array {
    global $sim;
    return ['api_url' => $sim, 'token' => 'demo-token'];
}

$tests = [];

$tests['the module loads, then comes from the disk cache, then from the process cache'] = function () use ($wasm, $phpmodule, $root) {
    global $runtime;
    if ($runtime === 'php') {
        // Generated PHP: parsed in a fresh process (opcache off in the CLI), then the
        // process's copy; the hash is the .wasm's it was generated from.
        $code = escapeshellarg('require ' . var_export($root . '/moodle-block/classes/local/wasm/php_module.php', true)
            . '; $m = new block_kuracloud\local\wasm\php_module(' . var_export($phpmodule, true) . '); echo $m->source();');
        $first = shell_exec(PHP_BINARY . ' -n -r ' . $code);
        check($first === 'compiled', "first load: $first");
        $a = new php_module($phpmodule);
        $b = new php_module($phpmodule);
        check($b->source() === 'process', 'process cache: ' . $b->source());
        check($a->hash() === hash_file('sha256', $wasm), 'hash');
        return;
    }
    $dir = sys_get_temp_dir() . '/kc-php-test-' . getmypid();
    // A separate PHP process sees an empty process cache.
    $php = PHP_BINARY . ' -d extension=' . escapeshellarg((string)getenv('KC_EXT')) . ' -r ';
    $code = escapeshellarg('$m = new KuracloudWasm\Module(' . var_export($wasm, true) . ', ' . var_export($dir, true) . ', str_repeat("k", 32)); echo $m->source();');
    $first = shell_exec($php . $code);
    $second = shell_exec($php . $code);
    check($first === 'compiled', "first load: $first");
    check($second === 'disk', "second load: $second");
    $files = glob($dir . '/*.cwasm');
    check(count($files) === 1 && str_contains($files[0], 'wasmtime-' . KuracloudWasm\Module::wasmtimeVersion()), 'cache file name');
    $a = new KuracloudWasm\Module($wasm);
    $b = new KuracloudWasm\Module($wasm);
    check($b->source() === 'process', 'process cache');
    check($a->hash() === hash_file('sha256', $wasm), 'hash');
    array_map('unlink', $files);
    rmdir($dir);
};

$tests['info lists every workflow'] = function () use ($wasm) {
    $info = json_decode(module()->instantiate()->info(), true);
    check($info['abi'] === 1, 'abi');
    check(in_array('grades.sync', $info['workflows'], true), 'workflows');
};

$tests['connection.verify prints the instance name; a wrong token is refused'] = function () use ($sim) {
    $out = loop()->run('connection.verify', ['connection' => conn()]);
    check($out['name'] === 'Demo University', 'name');
    try {
        loop()->run('connection.verify', ['connection' => ['api_url' => $sim, 'token' => 'wrong']]);
        check(false, 'should throw');
    } catch (workflow_exception $e) {
        check($e->errorcode === 'bad_token' && $e->httpstatus === 403, $e->errorcode);
        check(str_contains($e->getMessage(), 'refused the token'), $e->getMessage());
    }
};

$tests['every workflow runs through the effect loop'] = function () use ($sim) {
    $connections = [['connection_id' => 1, 'api_url' => $sim, 'token' => 'demo-token']];
    $courses = loop()->run('courses.list', ['connections' => $connections]);
    check(count($courses['connections'][0]['courses']) === 2, 'courses');
    $mapped = loop()->run('mapping.create', ['connection' => conn(), 'course_id' => 101]);
    check($mapped['lms_enabled'] === true, 'mapped');
    $health = loop()->run('mappings.check', ['connections' => $connections,
        'mappings' => [['mapping_id' => 1, 'connection_id' => 1, 'course_id' => 101]]]);
    check($health['mappings'][0]['status'] === 'ok', 'health');
    $students = [['user_id' => 11, 'email' => 'ana.lima@example.edu', 'first_name' => 'Ana', 'last_name' => 'Lima',
        'idnumber' => 'S001', 'groups' => ['Lab A']],
        ['user_id' => 12, 'email' => 'ben.okafor@example.edu', 'first_name' => 'Ben', 'last_name' => 'Okafor',
        'idnumber' => 'S002', 'groups' => []]];
    $input = ['connection' => conn(), 'course_id' => 101, 'students' => $students];
    $preview = loop()->run('students.preview', $input);
    check($preview['plan']['counts']['delete'] === 1, 'preview deletes Old Student');
    $applied = loop($s, $progress)->run('students.apply', $input + ['fingerprint' => $preview['plan']['fingerprint']]);
    check($applied['status'] === 'applied', $applied['status']);
    check(count($applied['links_store']) === 2, 'links');
    $grades = loop($sleeps, $progress)->run('grades.sync', $input + ['links' => $applied['links_store'],
        'poll' => ['initial_ms' => 5]]);
    check($grades['status'] === 'synced', 'grades status');
    check($grades['totals']['write'] === 4, 'writes: ' . json_encode($grades['totals']));
    check(count($sleeps) >= 1, 'polled with sleeps');
    foreach ($progress as [$stage, $done, $total]) {
        check($done <= $total, "progress $stage $done/$total");
    }
    $unmapped = loop()->run('mapping.remove', ['connection' => conn(), 'course_id' => 101]);
    check($unmapped['lms_enabled'] === false, 'unmapped');
};

$tests['a tiny memory limit throws and the instance is discarded'] = function () use ($wasm) {
    $students = [];
    for ($i = 0; $i < 30000; $i++) {
        $students[] = ['user_id' => $i, 'email' => "s$i@x.example", 'first_name' => str_repeat('A', 40)];
    }
    $request = json_encode(['workflow' => 'students.preview', 'input' => ['connection' => conn(),
        'course_id' => 101, 'students' => $students]]);
    $instance = module()->instantiate(2, 30000);
    try {
        $instance->start($request);
        check(false, 'should throw');
    } catch (KuracloudWasm\Exception $e) {
        check(str_contains($e->getMessage(), 'memory limit'), $e->getMessage());
    }
    try {
        $instance->info();
        check(false, 'should refuse');
    } catch (KuracloudWasm\Exception $e) {
        check(str_contains($e->getMessage(), 'unusable'), $e->getMessage());
    }
    // A time limit too short for the work stops it as well (far more work than the
    // 10-20 ms the shortest deadline allows, so a fast machine still trips it).
    $students = [];
    for ($i = 0; $i < 300000; $i++) {
        $students[] = ['user_id' => $i, 'email' => "s$i@x.example", 'first_name' => 'A'];
    }
    $request = json_encode(['workflow' => 'students.preview', 'input' => ['connection' => conn(),
        'course_id' => 101, 'students' => $students]]);
    $instance = module()->instantiate(1024, 1);
    try {
        $instance->start($request);
        check(false, 'should throw');
    } catch (KuracloudWasm\Exception $e) {
        check(str_contains($e->getMessage(), 'time limit'), $e->getMessage());
    }
};

$tests['PHP\'s memory_limit: the generated runtime stops cleanly, the extension is not bound by it'] = function () use ($root, $wasm, $phpmodule) {
    global $runtime;
    // 60,000 students: the module's memory grows far past what 160 MB of PHP holds as
    // PHP arrays, but is small for the extension (its memory is not PHP's).
    $code = 'require ' . var_export($root . '/moodle-block/classes/local/wasm/php_module.php', true) . ';'
        . 'require ' . var_export($root . '/moodle-block/classes/local/wasm/php_instance.php', true) . ';'
        . '$m = ' . ($runtime === 'ext' ? 'new KuracloudWasm\\Module(' . var_export($wasm, true) . ')'
            : 'new block_kuracloud\\local\\wasm\\php_module(' . var_export($phpmodule, true) . ')') . ';'
        . '$s = []; for ($k = 0; $k < 60000; $k++) { $s[] = ["user_id" => $k, "email" => "s$k@x.example", "first_name" => str_repeat("A", 40)]; }'
        . '$r = json_encode(["workflow" => "students.preview", "input" => ["connection" => ["api_url" => "http://kc.test", "token" => "t"], "course_id" => 1, "students" => $s]]);'
        . 'try { echo substr($m->instantiate()->start($r), 0, 10); } catch (KuracloudWasm\\Exception $e) { echo $e->getMessage(); }';
    $ext = $runtime === 'ext' ? ' -d extension=' . escapeshellarg((string)getenv('KC_EXT')) : '';
    $out = (string)shell_exec(PHP_BINARY . $ext . ' -d memory_limit=160M -r ' . escapeshellarg($code) . ' 2>&1');
    if ($runtime === 'ext') {
        check($out === '{"effect":', $out);
    } else {
        check(str_contains($out, "more memory than PHP's memory_limit (160M) allows"), $out);
    }
};

$tests['whatever PHP passes, nothing crashes'] = function () use ($wasm) {
    global $runtime, $phpmodule;
    $module = module();
    $instance = $module->instantiate();
    foreach (['', 'null', '{"workflow":1}', "\xff\xfe", str_repeat('[', 100000), '{"workflow":"x","input":{}}'] as $bad) {
        $step = json_decode($instance->start($bad), true);
        check(isset($step['error']['code']), 'error step for ' . substr(bin2hex($bad), 0, 20));
    }
    $step = json_decode($instance->resume('{}'), true);
    check($step['error']['code'] === 'protocol', 'resume without a run');
    $instance->start('{"workflow":"connection.verify","input":{"connection":{"token":"t"}}}');
    $step = json_decode($instance->resumeHttp(200, "\xff\x00 not utf8"), true);
    check($step['error']['code'] === 'malformed_response', json_encode($step));
    foreach ([[0, ''], [700, '']] as [$status, $body]) {
        try {
            $instance->resumeHttp($status, $body);
            check(false, 'bad status accepted');
        } catch (KuracloudWasm\Exception $e) {
            check(true, '');
        }
    }
    $notmodule = tempnam(sys_get_temp_dir(), 'kc-not-a-module');
    file_put_contents($notmodule, "<?php return 'stdClass';\n");
    foreach ($runtime === 'ext' ? ['/nonexistent.wasm', __FILE__] : ['/nonexistent.php', $notmodule] as $path) {
        try {
            $runtime === 'ext' ? new KuracloudWasm\Module($path) : new php_module($path);
            check(false, "loaded $path");
        } catch (KuracloudWasm\Exception $e) {
            check($e->getMessage() !== '', 'message');
        }
    }
    unlink($notmodule);
    try {
        $module->instantiate(0, 10);
        check(false, 'zero memory accepted');
    } catch (KuracloudWasm\Exception $e) {
        check(true, '');
    }
};

$tests['a slow kuraCloud times out through curl'] = function () use ($sim) {
    control('POST', 'faults', json_encode(['route' => 'instance.get', 'delay_ms' => 1500]));
    try {
        loop()->run('connection.verify', ['connection' => ['api_url' => $sim, 'token' => 'demo-token', 'timeout_ms' => 300]]);
        check(false, 'should time out');
    } catch (workflow_exception $e) {
        check($e->errorcode === 'timeout', $e->errorcode . ': ' . $e->getMessage());
    }
};

// Parity: the golden cases give byte-identical outcomes to host-runner's.
foreach (glob($root . '/tests/golden/*.json') as $file) {
    $tests['parity: ' . basename($file, '.json')] = function () use ($file, $sim) {
        $case = json_decode(file_get_contents($file), true);
        foreach ($case['setup'] ?? [] as $op) {
            if (isset($op['faults'])) {
                control('POST', 'faults', json_encode($op['faults']));
            }
            if (isset($op['export'])) {
                control('PUT', 'export', json_encode($op['export']));
            }
            if (isset($op['api'])) {
                api($op['api']['method'], $op['api']['path'], json_encode($op['api']['body']));
            }
        }
        $input = str_replace('{{SIM}}', $sim, json_encode($case['input'], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
        try {
            $text = loop()->run_json($case['workflow'], $input);
        } catch (workflow_exception $e) {
            $text = 'error:' . $e->errorcode . "\n" . $e->getMessage();
        }
        $text = str_replace($sim, '{{SIM}}', $text);
        $expected = file_get_contents(substr($file, 0, -5) . '.expected');
        check($text === $expected, "differs from host-runner:\n  expected $expected\n  got      $text");
    };
}

$passed = 0;
$failed = 0;
$summary = [];
foreach ($runtimes as $runtime) {
    if ($runtime === 'php' && extension_loaded('kuracloud')) {
        // The extension's KuracloudWasm\Exception cannot be instantiated from PHP, so the
        // generated runtime (which throws it) runs in a PHP process without the
        // extension: this script again, for that runtime only.
        $lines = [];
        exec('KC_RUNTIME=php ' . escapeshellarg(PHP_BINARY) . ' ' . escapeshellarg(__FILE__) . ' 2>&1', $lines);
        $total = null;
        foreach ($lines as $line) {
            if (preg_match('/^runtime php: (\d+) passed, (\d+) failed$/', $line, $m)) {
                $total = [(int)$m[1], (int)$m[2]];
            } else if (!preg_match('/^\d+ passed, \d+ failed$/', $line)) {
                echo $line, "\n";
            }
        }
        [$p, $f] = $total ?? [0, 1];
        $summary[] = "runtime php: $p passed, $f failed";
        $passed += $p;
        $failed += $f;
        continue;
    }
    $p = 0;
    $f = 0;
    foreach ($tests as $name => $test) {
        control('POST', 'reset');
        try {
            $test();
            $p++;
            echo "ok   [$runtime] $name\n";
        } catch (Throwable $e) {
            $f++;
            echo "FAIL [$runtime] $name: " . get_class($e) . ': ' . $e->getMessage() . "\n";
        }
    }
    $summary[] = "runtime $runtime: $p passed, $f failed";
    $passed += $p;
    $failed += $f;
}
echo implode("\n", $summary), "\n";
echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
