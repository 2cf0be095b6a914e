<?php
// The PHP side of wasm2php/examples/differential.rs: runs every case through the
// generated PHP (php_module) with the same answering rule, and prints one line per
// case: the output of each step as hex, separated by spaces.

$root = dirname(__DIR__, 2);
require $root . '/moodle-block/classes/local/wasm/php_module.php';
require $root . '/moodle-block/classes/local/wasm/php_instance.php';

$module = new block_kuracloud\local\wasm\php_module($argv[1]);
$cases = json_decode(file_get_contents($argv[2]), true);
const KINDS = ['instance', 'course', 'students', 'deleted', 'export', 'status', 'download', 'write'];

function kind_of(string $method, string $url): int {
    if (str_contains($url, '/download')) {
        $k = 'download';
    } else if (str_contains($url, 'exportgrades.json/')) {
        $k = 'status';
    } else if (str_contains($url, 'exportgrades.json')) {
        $k = 'export';
    } else if ($method !== 'GET') {
        $k = 'write';
    } else if (str_contains($url, 'deleted=true')) {
        $k = 'deleted';
    } else if (str_contains($url, '/student')) {
        $k = 'students';
    } else if (str_contains($url, '/course')) {
        $k = 'course';
    } else {
        $k = 'instance';
    }
    return array_search($k, KINDS, true);
}

/** The same tiny field reader as the Rust side (an escaped character is taken as is). */
function field(string $step, string $name): string {
    $key = '"' . $name . '":"';
    $at = strpos($step, $key);
    $at = $at === false ? strlen($step) : $at + strlen($key);
    $out = '';
    $esc = false;
    $n = strlen($step);
    for ($i = $at; $i < $n; $i++) {
        $c = $step[$i];
        if ($esc) {
            $out .= $c;
            $esc = false;
        } else if ($c === '\\') {
            $esc = true;
        } else if ($c === '"') {
            break;
        } else {
            $out .= $c;
        }
    }
    return $out;
}

foreach ($cases as $case) {
    $instance = $module->instantiate();
    $out = [];
    $used = array_fill(0, 8, 0);
    try {
        $step = $instance->start($case['request']);
    } catch (KuracloudWasm\Exception $e) {
        echo bin2hex('trap'), "\n";
        continue;
    }
    $finished = false;
    foreach ($case['statuses'] as $status) {
        $out[] = $step;
        if (!str_starts_with($step, '{"effect":')) {
            $finished = true;
            break;
        }
        try {
            if (str_starts_with($step, '{"effect":{"http":')) {
                if ($status < 0) {
                    $kind = ['timeout', 'connect', 'other'][-$status - 1];
                    $step = $instance->resume('{"transport_error":{"kind":"' . $kind . '","message":"simulated"}}');
                } else {
                    $k = kind_of(field($step, 'method'), field($step, 'url'));
                    $bodies = $case['bodies'][$k];
                    $body = hex2bin($bodies[$used[$k] % count($bodies)]);
                    $used[$k]++;
                    $step = $instance->resumeHttp($status, $body);
                }
            } else {
                $step = $instance->resume('{}');
            }
        } catch (KuracloudWasm\Exception $e) {
            $out[] = 'trap';
            $finished = true;
            break;
        }
    }
    if (!$finished) {
        $out[] = $step;
        $out[] = 'out of answers';
    }
    echo implode(' ', array_map(fn ($s) => bin2hex($s), $out)), "\n";
}
