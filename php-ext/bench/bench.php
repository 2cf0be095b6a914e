<?php
// Benchmarks of the extension (figures, not tests): a fresh PHP process with and
// without the on-disk cache, the per-call overhead, and a 5,000-student preview end to
// end through PHP against the simulator. Run by scripts/bench.sh.

use block_kuracloud\local\wasm\effect_loop;

$root = dirname(__DIR__, 2);
require $root . '/moodle-block/classes/local/wasm/transport.php';
require $root . '/moodle-block/classes/local/wasm/workflow_exception.php';
require $root . '/moodle-block/classes/local/wasm/effect_loop.php';
require $root . '/php-ext/tests/curl_transport.php';

$ext = (string)getenv('KC_EXT');
$wasm = (string)getenv('KC_WASM');
$sim = rtrim((string)getenv('KC_SIM_URL'), '/');

function median(array $v): float {
    sort($v);
    return $v[intdiv(count($v), 2)];
}

// 1. A fresh process: load the module, instantiate, one call.
$cachedir = sys_get_temp_dir() . '/kc-bench-cache-' . getmypid();
$child = function (?string $dir) use ($ext, $wasm): float {
    $code = '$t = hrtime(true); $m = new KuracloudWasm\Module(' . var_export($wasm, true) . ', '
        . var_export($dir, true) . '); $i = $m->instantiate(); $i->info(); echo (hrtime(true) - $t) / 1e6;';
    return (float)shell_exec(PHP_BINARY . ' -d extension=' . escapeshellarg($ext) . ' -r ' . escapeshellarg($code));
};
$nocache = [];
for ($n = 0; $n < 5; $n++) {
    $nocache[] = $child(null);
}
$child($cachedir); // fills the cache
$cached = [];
for ($n = 0; $n < 10; $n++) {
    $cached[] = $child($cachedir);
}
$whole = [];
for ($n = 0; $n < 10; $n++) {
    $t = hrtime(true);
    shell_exec(PHP_BINARY . ' -d extension=' . escapeshellarg($ext) . ' -r ' . escapeshellarg(
        '$m = new KuracloudWasm\Module(' . var_export($wasm, true) . ', ' . var_export($cachedir, true) . '); $m->instantiate()->info();'));
    $whole[] = (hrtime(true) - $t) / 1e6;
}
printf("fresh process, load + instantiate + one call: %.1f ms compiling, %.1f ms from the disk cache (whole php process: %.1f ms)\n",
    median($nocache), median($cached), median($whole));
array_map('unlink', glob($cachedir . '/*'));
rmdir($cachedir);

// 2. Per-call overhead: kc_info through the extension, and instantiation.
$module = new KuracloudWasm\Module($wasm);
$instance = $module->instantiate();
$calls = 20000;
$t = hrtime(true);
for ($n = 0; $n < $calls; $n++) {
    $instance->info();
}
$percall = (hrtime(true) - $t) / 1e3 / $calls;
$t = hrtime(true);
for ($n = 0; $n < 1000; $n++) {
    $module->instantiate();
}
$perinstance = (hrtime(true) - $t) / 1e3 / 1000;
printf("per call (kc_info, 200-byte answer): %.1f µs; per instantiation: %.1f µs\n", $percall, $perinstance);

// 3. A 5,000-student preview end to end through PHP (effect loop, curl, simulator).
$state = json_decode(file_get_contents($sim . '/_control/state'), true);
$students = [];
$moodle = [];
$links = [];
for ($i = 0; $i < 5000; $i++) {
    $email = "s$i@uni.example";
    $moodle[] = ['user_id' => $i, 'email' => $email, 'first_name' => 'Student', 'last_name' => 'Bench',
        'idnumber' => "ID$i", 'groups' => ['Lab A']];
    if ($i < 4700) {
        $links[] = ['user_id' => $i, 'student_id' => $i + 1];
    }
    $given = $i >= 4000 && $i < 4300 ? 'Renamed' : 'Student';
    $kcemail = $i >= 4300 && $i < 4500 ? "old$i@uni.example" : $email;
    if ($i < 4700) {
        $students[] = ['studentId' => $i + 1, 'email' => $kcemail, 'givenName' => $given, 'familyName' => 'Bench',
            'inviteComplete' => true, 'createdDate' => 1, 'externalStudentId' => "ID$i", 'section' => 'Lab A',
            'deleted' => $i >= 4500];
    }
}
for ($i = 0; $i < 300; $i++) {
    $students[] = ['studentId' => 20000 + $i, 'email' => "x$i@uni.example", 'givenName' => 'Gone', 'familyName' => 'Bench',
        'inviteComplete' => true, 'createdDate' => 1, 'externalStudentId' => '', 'section' => '', 'deleted' => false];
}
$state['instances'][0]['courses'][0]['students'] = $students;
$ch = curl_init($sim . '/_control/state');
curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => 'PUT', CURLOPT_POSTFIELDS => json_encode($state), CURLOPT_RETURNTRANSFER => true]);
curl_exec($ch);
$input = ['connection' => ['api_url' => $sim, 'token' => 'demo-token'], 'course_id' => 101, 'students' => $moodle, 'links' => $links];
$times = [];
$transport = new curl_transport();
$loop = new effect_loop($module, $transport);
for ($n = 0; $n < 10; $n++) {
    $t = hrtime(true);
    $out = $loop->run('students.preview', $input);
    $times[] = (hrtime(true) - $t) / 1e6;
}
printf("students.preview of 5,000 students through PHP (json_encode input, 2 HTTP reads over loopback, module, json_decode outcome): median %.1f ms; counts %s\n",
    median($times), json_encode($out['plan']['counts']));
