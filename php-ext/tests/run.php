<?php
// PHP tests for the extension and the effect loop: the real kuracloud.wasm through
// KuracloudWasm\* against the simulator over HTTP. Plain runner; the last line is
// "N passed, N failed". Needs KC_SIM_URL, KC_WASM and the extension loaded
// (scripts/test-php.sh does all three).

use block_kuracloud\local\wasm\effect_loop;
use block_kuracloud\local\wasm\workflow_exception;

$root = dirname(__DIR__, 2);
require $root . '/moodle-block/classes/local/wasm/transport.php';
require $root . '/moodle-block/classes/local/wasm/workflow_exception.php';
require $root . '/moodle-block/classes/local/wasm/effect_loop.php';
require __DIR__ . '/curl_transport.php';

$sim = rtrim((string)getenv('KC_SIM_URL'), '/');
$wasm = (string)getenv('KC_WASM');
if ($sim === '' || $wasm === '' || !extension_loaded('kuracloud')) {
    fwrite(STDERR, "needs KC_SIM_URL, KC_WASM and the kuracloud extension (run scripts/test-php.sh)\n");
    exit(2);
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
        new KuracloudWasm\Module($wasm),
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

$tests['the module loads, then comes from the disk cache, then from the process cache'] = function () use ($wasm) {
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
    $info = json_decode((new KuracloudWasm\Module($wasm))->instantiate()->info(), true);
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
    $instance = (new KuracloudWasm\Module($wasm))->instantiate(2, 30000);
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
    $instance = (new KuracloudWasm\Module($wasm))->instantiate(1024, 1);
    try {
        $instance->start($request);
        check(false, 'should throw');
    } catch (KuracloudWasm\Exception $e) {
        check(str_contains($e->getMessage(), 'time limit'), $e->getMessage());
    }
};

$tests['whatever PHP passes, nothing crashes'] = function () use ($wasm) {
    $module = new KuracloudWasm\Module($wasm);
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
    foreach (['/nonexistent.wasm', __FILE__] as $path) {
        try {
            new KuracloudWasm\Module($path);
            check(false, "loaded $path");
        } catch (KuracloudWasm\Exception $e) {
            check($e->getMessage() !== '', 'message');
        }
    }
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
foreach ($tests as $name => $test) {
    control('POST', 'reset');
    try {
        $test();
        $passed++;
        echo "ok   $name\n";
    } catch (Throwable $e) {
        $failed++;
        echo "FAIL $name: " . get_class($e) . ': ' . $e->getMessage() . "\n";
    }
}
echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
