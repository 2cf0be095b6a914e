<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.


// The exception both runtimes throw. The kuracloud extension declares it; without the
// extension, this file does (guarded, so the two never clash).
namespace KuracloudWasm {
    if (!\class_exists(Exception::class, false)) {
        /**
         * A trap or a limit overrun of the kuraCloud module.
         *
         * @package    block_kuracloud
         * @copyright  2026 block_kuracloud contributors
         * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
         */
        class Exception extends \Exception {
        }
    }
}

namespace block_kuracloud\local\wasm {
    /**
     * The kuraCloud module as generated PHP (`wasm/kuracloud.php`, translated from
     * kuracloud.wasm by wasm2php): the same API as the extension's \KuracloudWasm\Module,
     * for servers without the extension. Plain PHP, no Moodle dependency.
     *
     * @package    block_kuracloud
     * @copyright  2026 block_kuracloud contributors
     * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
     */
    final class php_module {
        /** @var array<string, string> Generated classes loaded in this process, by file. */
        private static array $loaded = [];

        /** @var string The generated class. */
        private string $class;

        /** @var string Where the code came from: compiled, opcache or process. */
        private string $source;

        /**
         * Loads the generated module.
         *
         * @param string $generatedphpfile Path of the generated PHP file.
         * @throws \KuracloudWasm\Exception When the file is missing or not a generated module.
         * @throws \LogicException When the kuracloud extension is loaded (use it instead).
         */
        public function __construct(string $generatedphpfile) {
            if (\extension_loaded('kuracloud')) {
                // The extension's KuracloudWasm\Exception cannot be created from PHP, so
                // the generated runtime could not report a trap: use the extension.
                throw new \LogicException('the kuracloud extension is loaded: run the module with it '
                    . '(\\KuracloudWasm\\Module); the generated PHP is for servers without it');
            }
            $path = \realpath($generatedphpfile);
            if ($path === false || !\is_file($path) || !\is_readable($path)) {
                throw new \KuracloudWasm\Exception("cannot read the kuraCloud module {$generatedphpfile}");
            }
            if (isset(self::$loaded[$path])) {
                $this->class = self::$loaded[$path];
                $this->source = 'process';
                return;
            }
            $cached = \function_exists('opcache_is_script_cached') && @\opcache_is_script_cached($path);
            $class = self::load($path);
            if (!\is_string($class) || !\class_exists($class, false) || !\defined($class . '::SHA256')) {
                throw new \KuracloudWasm\Exception("{$generatedphpfile} is not a generated kuraCloud module");
            }
            self::$loaded[$path] = $class;
            $this->class = $class;
            $this->source = $cached ? 'opcache' : 'compiled';
        }

        /**
         * Includes the file in a scope of its own.
         *
         * PHP 8.2's JIT, tracing and function modes alike, miscompiles some of the
         * generated methods (outcomes differ from wasmtime's in the differential check),
         * so the file is compiled with the JIT off: its methods then never get JIT code,
         * in this request or in later ones that find them in opcache. The setting is
         * restored at once for everything else.
         *
         * Compiling the file takes memory once: about 90 MB, and over 192 MB while
         * opcache optimizes it (the first request after a restart; later ones find it
         * compiled in shared memory). memory_limit is raised to 512M for the compile when
         * it is lower, and put back.
         *
         * @param string $path The file.
         * @return mixed What it returns (the generated class's name).
         */
        private static function load(string $path): mixed {
            $jit = (string)\ini_get('opcache.jit');
            $jitoff = \in_array(\strtolower($jit), ['', '0', 'off', 'disable'], true);
            if (!$jitoff) {
                @\ini_set('opcache.jit', 'off');
            }
            $limit = (string)\ini_get('memory_limit');
            $raise = self::bytes($limit) >= 0 && self::bytes($limit) < 512 << 20;
            if ($raise) {
                @\ini_set('memory_limit', '512M');
            }
            try {
                return require($path);
            } finally {
                if (!$jitoff) {
                    @\ini_set('opcache.jit', $jit);
                }
                if ($raise) {
                    @\ini_set('memory_limit', $limit);
                }
            }
        }

        /**
         * A php.ini size (128M, 1G, -1) in bytes; -1 for no limit.
         *
         * @param string $value The setting.
         * @return int
         */
        private static function bytes(string $value): int {
            $value = \trim($value);
            if ($value === '' || $value === '-1') {
                return -1;
            }
            $n = (int)$value;
            switch (\strtolower(\substr($value, -1))) {
                case 'g':
                    return $n << 30;
                case 'm':
                    return $n << 20;
                case 'k':
                    return $n << 10;
                default:
                    return $n;
            }
        }

        /**
         * SHA-256 of the .wasm the PHP was generated from (what the extension's hash() gives).
         *
         * @return string Hex digest.
         */
        public function hash(): string {
            return \constant($this->class . '::SHA256');
        }

        /**
         * Where the code came from: compiled (parsed now), opcache or process (already loaded).
         *
         * @return string
         */
        public function source(): string {
            return $this->source;
        }

        /**
         * A fresh instance, bounded like the extension's.
         *
         * @param int $memorymb Memory limit of the instance, MiB (1 to 4096).
         * @param int $timelimitms Time limit of each call into the module, ms (1 to one hour).
         * @return php_instance
         * @throws \KuracloudWasm\Exception On limits out of range, or when the module cannot start.
         */
        public function instantiate(int $memorymb = 512, int $timelimitms = 30000): php_instance {
            if ($memorymb < 1 || $memorymb > 4096) {
                throw new \KuracloudWasm\Exception('the memory limit must be between 1 and 4096 MiB');
            }
            if ($timelimitms < 1 || $timelimitms > 3600000) {
                throw new \KuracloudWasm\Exception('the time limit must be between 1 ms and one hour');
            }
            try {
                $wasm = new ($this->class)($memorymb << 20, $timelimitms);
            } catch (\KuracloudWasm\Exception $e) {
                throw new \KuracloudWasm\Exception('cannot instantiate the module: ' . $e->getMessage(), 0, $e);
            }
            return new php_instance($wasm, $memorymb, $timelimitms);
        }
    }
}
