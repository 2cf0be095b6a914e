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


namespace block_kuracloud\local\service;

use block_kuracloud\local\site_config;
use block_kuracloud\local\wasm\effect_loop;
use block_kuracloud\local\wasm\moodle_curl_transport;
use block_kuracloud\local\wasm\transport;

/**
 * Runs kuraCloud workflows in the module shipped with the plugin.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class module_runner {
    /** @var transport|null Replaces Moodle's curl (tests of transport failures). */
    public static ?transport $transport = null;

    /** @var float|null A wall-clock deadline (microtime) for every run, set by a caller with a budget. */
    public static ?float $deadline = null;

    /** @var array Bounds of every instance: memory (MiB) and time per call into the module (ms). */
    public static array $limits = ['memorymb' => 512, 'timelimitms' => 30000];

    /** Wall-clock budget of a grade sync, seconds: export, polls and download together. */
    const GRADE_SYNC_BUDGET = 900;

    /** The runtime of the PHP extension: wasmtime, compiled code. */
    const RUNTIME_EXTENSION = 'ext';

    /** The runtime that always works: the module translated to PHP (wasm/kuracloud.php). */
    const RUNTIME_PHP = 'php';

    /**
     * Whether the kuraCloud PHP extension is loaded.
     *
     * @return bool
     */
    public static function extension_loaded(): bool {
        return extension_loaded('kuracloud') && class_exists('\KuracloudWasm\Module');
    }

    /**
     * The runtime that runs the module here: the extension when it is loaded, otherwise
     * the generated PHP. Null when neither is there (a broken install).
     *
     * @return string|null RUNTIME_EXTENSION, RUNTIME_PHP or null.
     */
    public static function runtime(): ?string {
        if (self::extension_loaded()) {
            return self::RUNTIME_EXTENSION;
        }
        return is_readable(self::generated_path()) ? self::RUNTIME_PHP : null;
    }

    /**
     * Whether the module can run on this server.
     *
     * @return bool
     */
    public static function available(): bool {
        return self::runtime() !== null;
    }

    /**
     * The module as generated PHP inside the plugin.
     *
     * @return string
     */
    public static function generated_path(): string {
        global $CFG;
        return $CFG->dirroot . '/blocks/kuracloud/wasm/kuracloud.php';
    }

    /**
     * The module file inside the plugin.
     *
     * @return string
     */
    public static function module_path(): string {
        global $CFG;
        return $CFG->dirroot . '/blocks/kuracloud/wasm/kuracloud.wasm';
    }

    /**
     * An effect loop on the plugin's module; compiled code cached in Moodle's local cache.
     *
     * @param callable|null $progress Called with (stage, done, total).
     * @return effect_loop
     */
    public static function loop(?callable $progress = null): effect_loop {
        return new effect_loop(self::module(), self::transport(), null, $progress, self::$limits['memorymb'],
            self::$limits['timelimitms']);
    }

    /**
     * The module in the runtime of this server: compiled by the extension (or loaded from
     * its cache), or the generated PHP class.
     *
     * @return object \KuracloudWasm\Module or php_module: the same API.
     */
    public static function module(): object {
        $runtime = self::runtime();
        if ($runtime === null) {
            throw new \moodle_exception('runtimemissing', 'block_kuracloud');
        }
        if ($runtime === self::RUNTIME_PHP) {
            return new \block_kuracloud\local\wasm\php_module(self::generated_path());
        }
        // Compiled code in Moodle's local cache is authenticated with a key kept in the
        // database: a file planted in the cache directory is never loaded as native code.
        $cachedir = make_localcache_directory('block_kuracloud');
        return new \KuracloudWasm\Module(self::module_path(), $cachedir, site_config::key('module-cache'));
    }

    /**
     * The HTTP transport: Moodle's curl, with the site's response cap.
     *
     * @return transport
     */
    public static function transport(): transport {
        return self::$transport ?? new moodle_curl_transport(site_config::max_response_bytes());
    }

    /**
     * The API URLs a workflow input names (its connection or connections): the only
     * servers the workflow may send requests to.
     *
     * @param array $input Workflow input.
     * @return string[]
     */
    public static function api_urls(array $input): array {
        $urls = [];
        if (isset($input['connection']['api_url'])) {
            $urls[] = (string)$input['connection']['api_url'];
        }
        foreach ($input['connections'] ?? [] as $connection) {
            if (isset($connection['api_url'])) {
                $urls[] = (string)$connection['api_url'];
            }
        }
        return $urls;
    }

    /**
     * Runs a workflow and returns its outcome.
     *
     * @param string $workflow Workflow name.
     * @param array $input Its input.
     * @param callable|null $progress Progress callback.
     * @return array
     * @throws \block_kuracloud\local\wasm\workflow_exception
     */
    public static function run(string $workflow, array $input, ?callable $progress = null): array {
        if (self::runtime() === self::RUNTIME_PHP) {
            // The generated PHP keeps the module's memory in PHP's own (a 40,000-grade sync
            // needs about 224M): Moodle's extra memory limit, as for other heavy operations.
            raise_memory_limit(MEMORY_EXTRA);
        }
        $loop = self::loop($progress)->allow_only(self::api_urls($input));
        $budget = $workflow === 'grades.sync' ? (float)self::GRADE_SYNC_BUDGET : null;
        if (self::$deadline !== null) {
            $budget = min($budget ?? PHP_FLOAT_MAX, self::$deadline - microtime(true));
        }
        if ($budget !== null) {
            $loop->within($budget);
        }
        try {
            return $loop->run($workflow, $input);
        } catch (\block_kuracloud\local\wasm\workflow_exception $e) {
            if ($e->text === null) {
                throw $e;
            }
            // The module's text in the site's language, for every page, task and the CLI.
            throw new \block_kuracloud\local\wasm\workflow_exception($e->errorcode,
                \block_kuracloud\output\texts::plain($e->text), $e->httpstatus, $e->text);
        } catch (\Throwable $e) {
            // A trap, a memory or time limit, or an answer that is not JSON: a clear
            // message, never Moodle's generic error page.
            if (!($e instanceof \KuracloudWasm\Exception) && !($e instanceof \JsonException)) {
                throw $e;
            }
            throw new \block_kuracloud\local\wasm\workflow_exception('module_failed',
                get_string('modulefailed', 'block_kuracloud', \core_text::substr($e->getMessage(), 0, 500)));
        }
    }
}
