<?php
// PHP tests for the extension's disk cache of compiled code: files are authenticated with
// the caller's key, a tampered or foreign file is never loaded but recompiled and
// rewritten, and without a key nothing is read or written. Each load runs in a fresh PHP
// process (a process keeps compiled modules in memory). Plain runner; the last line is
// "N passed, N failed". Needs KC_WASM, KC_EXT and the extension loaded
// (scripts/test-php.sh does all three).

$wasm = (string)getenv('KC_WASM');
$ext = (string)getenv('KC_EXT');
if ($wasm === '' || $ext === '' || !extension_loaded('kuracloud')) {
    fwrite(STDERR, "needs KC_WASM, KC_EXT and the kuracloud extension (run scripts/test-php.sh)\n");
    exit(2);
}

function check(bool $condition, string $what): void {
    if (!$condition) {
        throw new RuntimeException($what);
    }
}

/**
 * Loads the module in a new PHP process with this cache directory and key; returns
 * "<source> <works|broken>", or the exception's message.
 */
function load_fresh(string $dir, ?string $key): string {
    global $wasm, $ext;
    $code = '$key = ' . var_export($key === null ? null : base64_encode($key), true) . ';'
        . 'try {'
        . '  $m = new KuracloudWasm\Module(' . var_export($wasm, true) . ', ' . var_export($dir, true)
        . '    , $key === null ? null : base64_decode($key));'
        . '  $info = json_decode($m->instantiate()->info(), true);'
        . '  echo $m->source(), " ", in_array("grades.sync", $info["workflows"] ?? [], true) ? "works" : "broken";'
        . '} catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(); }';
    return (string)shell_exec(PHP_BINARY . ' -d extension=' . escapeshellarg($ext) . ' -r ' . escapeshellarg($code));
}

function scratch(string $name): string {
    $dir = sys_get_temp_dir() . '/kc-php-cache-' . getmypid() . '-' . $name;
    remove_tree($dir);
    mkdir($dir, 0700, true);
    return $dir;
}

function remove_tree(string $dir): void {
    if (!is_dir($dir) || is_link($dir)) {
        return;
    }
    foreach (scandir($dir) as $entry) {
        if ($entry === '.' || $entry === '..') {
            continue;
        }
        $path = "$dir/$entry";
        is_dir($path) && !is_link($path) ? remove_tree($path) : unlink($path);
    }
    rmdir($dir);
}

/** The one cache file in $dir. */
function cache_file(string $dir): string {
    $files = glob($dir . '/*.cwasm');
    check(count($files) === 1, 'cache files: ' . json_encode($files));
    return $files[0];
}

$key = random_bytes(32); // Binary, as a real secret may be.
$tests = [];

$tests['with a key: compiled, written 0600, then loaded from disk'] = function () use ($key) {
    $dir = scratch('good');
    check(($first = load_fresh($dir, $key)) === 'compiled works', "first load: $first");
    $file = cache_file($dir);
    check(str_contains($file, 'wasmtime-' . KuracloudWasm\Module::wasmtimeVersion()), "name: $file");
    check((fileperms($file) & 0777) === 0600, sprintf('mode %o', fileperms($file) & 0777));
    check(($second = load_fresh($dir, $key)) === 'disk works', "second load: $second");
    check(count(scandir($dir)) === 3, 'only the cache file is left: ' . json_encode(scandir($dir)));
    remove_tree($dir);
};

$tests['without a key no file is read or written'] = function () use ($key) {
    $dir = scratch('no-key');
    check(($first = load_fresh($dir, null)) === 'compiled works', "first load: $first");
    check(($second = load_fresh($dir, null)) === 'compiled works', "second load: $second");
    check(glob($dir . '/*') === [], 'files written: ' . json_encode(glob($dir . '/*')));
    // A good file is not read without the key either.
    load_fresh($dir, $key);
    check(($third = load_fresh($dir, null)) === 'compiled works', "keyless load: $third");
    remove_tree($dir);
};

$tests['a tampered cache file is rejected, recompiled and rewritten; the module still works'] = function () use ($key) {
    $dir = scratch('tampered');
    load_fresh($dir, $key);
    $file = cache_file($dir);
    $good = file_get_contents($file);
    // A flipped byte in the code, in the tag, and the code alone without the header.
    $flipped = $good;
    $flipped[intdiv(strlen($good), 2)] = chr(ord($flipped[intdiv(strlen($good), 2)]) ^ 1);
    $badtag = $good;
    $badtag[12] = chr(ord($badtag[12]) ^ 1);
    foreach (['flipped byte' => $flipped, 'bad tag' => $badtag, 'no tag' => substr($good, 40)] as $what => $bad) {
        file_put_contents($file, $bad);
        check(($load = load_fresh($dir, $key)) === 'compiled works', "$what: $load");
        check(file_get_contents($file) !== $bad, "$what: the file was not rewritten");
        check(($again = load_fresh($dir, $key)) === 'disk works', "$what, then: $again");
    }
    remove_tree($dir);
};

$tests['a file signed with another key is rejected'] = function () use ($key) {
    $dir = scratch('other-key');
    $other = random_bytes(32);
    check(load_fresh($dir, $other) === 'compiled works', 'their compile');
    check(load_fresh($dir, $other) === 'disk works', 'their file');
    check(($ours = load_fresh($dir, $key)) === 'compiled works', "ours: $ours");
    check(($again = load_fresh($dir, $key)) === 'disk works', "ours, then: $again");
    remove_tree($dir);
};

$tests['a symlink planted at the cache file is not followed'] = function () use ($key) {
    $dir = scratch('symlink');
    load_fresh($dir, $key);
    $file = cache_file($dir);
    $elsewhere = dirname($dir) . '/kc-php-cache-' . getmypid() . '-elsewhere.cwasm';
    rename($file, $elsewhere);
    symlink($elsewhere, $file);
    check(($load = load_fresh($dir, $key)) === 'compiled works', "symlink: $load");
    check(!is_link($file) && is_file($file), 'the symlink was not replaced by a file');
    check(is_file($elsewhere), 'the symlink target was touched');
    unlink($elsewhere);
    remove_tree($dir);
};

$tests['a key shorter than 32 bytes is refused'] = function () use ($wasm, $key) {
    $dir = scratch('short-key');
    foreach (['', str_repeat('k', 31)] as $short) {
        try {
            new KuracloudWasm\Module($wasm, $dir, $short);
            check(false, 'a ' . strlen($short) . '-byte key was accepted');
        } catch (KuracloudWasm\Exception $e) {
            check(str_contains($e->getMessage(), 'at least 32 bytes'), $e->getMessage());
        }
    }
    check(str_ends_with(load_fresh($dir, str_repeat('k', 31)), 'at least 32 bytes long (it has 31)'), 'child');
    // 32 bytes, binary with NUL bytes: accepted.
    check(($load = load_fresh($dir, "\0\xff" . str_repeat("\0", 30))) === 'compiled works', $load);
    $params = (new ReflectionMethod(KuracloudWasm\Module::class, '__construct'))->getParameters();
    check(array_map(fn($p) => $p->getName(), $params) === ['path', 'cacheDir', 'cacheKey'], 'parameter names');
    check((string)$params[2]->getType() === '?string' && $params[2]->isOptional(), 'cacheKey type');
    remove_tree($dir);
};

$passed = 0;
$failed = 0;
foreach ($tests as $name => $test) {
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
