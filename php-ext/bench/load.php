<?php
// Load figures of the generated PHP (figures, not tests): `php load.php FILE`.
// With --precompile, the file is put in opcache's shared memory first (as php-fpm
// workers find it after the first request). Prints JSON: the time and memory to include the file (compiling it unless opcache
// already holds it), the process's peak, the opcache shared memory it takes, and the
// time of one instantiation. Run by scripts/bench-php.sh with and without opcache.
$file = $argv[1];
if (($argv[2] ?? '') === '--precompile') {
    // What php-fpm workers see: the script already in opcache's shared memory.
    opcache_compile_file($file);
}
$m0 = memory_get_usage();
$t = hrtime(true);
$class = require $file;
$load = (hrtime(true) - $t) / 1e6;
$m1 = memory_get_usage();
$t = hrtime(true);
new $class();
$instantiate = (hrtime(true) - $t) / 1e6;
$status = function_exists('opcache_get_status') ? @opcache_get_status(true) : false;
$shm = null;
if (is_array($status) && isset($status['scripts'][realpath($file)])) {
    $shm = round($status['scripts'][realpath($file)]['memory_consumption'] / 1048576, 1);
}
echo json_encode(['load_ms' => round($load, 1), 'load_mib' => round(($m1 - $m0) / 1048576, 1),
    'peak_mib' => round(memory_get_peak_usage() / 1048576, 1), 'opcache_shm_mib' => $shm,
    'instantiate_ms' => round($instantiate, 2)]), "\n";
