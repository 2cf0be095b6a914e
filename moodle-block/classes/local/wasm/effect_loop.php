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

namespace block_kuracloud\local\wasm;

/**
 * Runs a kuraCloud workflow: starts it in the module, performs the effects it asks for
 * (http through the transport, sleep, progress), and returns its outcome.
 *
 * Plain PHP with no Moodle dependency: every decision is in the module; this is the
 * only PHP needed to drive any workflow.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class effect_loop {
    /** Bound on steps, in case a module misbehaves; real workflows take a few dozen. */
    private const MAX_STEPS = 100000;

    /** Longest sleep the module may ask for, ms: a poll interval, never a way to hold a worker. */
    public const MAX_SLEEP_MS = 60000;

    /** @var string[]|null Origins (scheme://host:port) requests may go to; null: any. */
    private ?array $allowedorigins = null;

    /** @var float|null Wall-clock deadline of the whole run (microtime), null: none. */
    private ?float $deadline = null;

    /** @var callable(int): void */
    private $sleep;

    /** @var callable(string, int, int): void */
    private $progress;

    /**
     * Constructor.
     *
     * @param object $module The compiled module: \KuracloudWasm\Module (the extension) or
     *     {@see php_module} (generated PHP); anything whose instantiate(memorymb, timelimitms)
     *     returns an instance with start(), resume() and resumeHttp().
     * @param transport $transport Sends HTTP requests.
     * @param callable|null $sleep Called with milliseconds to wait (default: usleep).
     * @param callable|null $progress Called with (stage, done, total).
     * @param int $memorymb Memory limit of the instance, MiB.
     * @param int $timelimitms Time limit of each call into the module, ms.
     */
    public function __construct(
        private readonly object $module,
        private readonly transport $transport,
        ?callable $sleep = null,
        ?callable $progress = null,
        private readonly int $memorymb = 512,
        private readonly int $timelimitms = 30000,
    ) {
        $this->sleep = $sleep ?? static function (int $ms): void {
            usleep($ms * 1000);
        };
        $this->progress = $progress ?? static function (string $stage, int $done, int $total): void {
        };
    }

    /**
     * Limits requests to the servers of the given API URLs (the connections the workflow
     * was given); a request anywhere else is refused, never sent.
     *
     * @param string[] $apiurls API URLs.
     * @return self
     */
    public function allow_only(array $apiurls): self {
        $this->allowedorigins = array_values(array_unique(array_filter(array_map([self::class, 'origin'], $apiurls))));
        return $this;
    }

    /**
     * Bounds the whole run in wall-clock time (HTTP included, not only the sleeps the
     * module counts): past it, no request is sent; the module is answered with a timeout
     * and ends with a clean error, keeping what it did so far.
     *
     * @param float $seconds Budget from now.
     * @return self
     */
    public function within(float $seconds): self {
        $this->deadline = microtime(true) + max(0.0, $seconds);
        return $this;
    }

    /**
     * The origin of a URL, scheme://host:port, lower case with the default port made explicit.
     *
     * @param string $url URL.
     * @return string|null Null when the URL has no scheme or host.
     */
    public static function origin(string $url): ?string {
        $parts = parse_url(trim($url));
        if (!is_array($parts) || empty($parts['scheme']) || empty($parts['host'])) {
            return null;
        }
        $scheme = strtolower($parts['scheme']);
        $port = $parts['port'] ?? ($scheme === 'https' ? 443 : ($scheme === 'http' ? 80 : 0));
        return $scheme . '://' . strtolower($parts['host']) . ':' . $port;
    }

    /**
     * Runs a workflow and returns its outcome, decoded.
     *
     * @param string $workflow Workflow name, e.g. 'students.preview'.
     * @param array|\stdClass $input The workflow's input.
     * @return array The outcome.
     * @throws workflow_exception When the workflow ends with an error.
     * @throws \KuracloudWasm\Exception When the module traps or overruns a limit.
     */
    public function run(string $workflow, array|\stdClass $input): array {
        $json = json_encode($input, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
        return json_decode($this->run_json($workflow, $json), true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * Runs a workflow with its input as JSON text and returns the outcome JSON exactly
     * as the module produced it.
     *
     * @param string $workflow Workflow name.
     * @param string $inputjson The input, JSON text (the module reports text that is not JSON).
     * @return string The outcome, JSON text.
     * @throws workflow_exception When the workflow ends with an error.
     * @throws \KuracloudWasm\Exception When the module traps or overruns a limit.
     */
    public function run_json(string $workflow, string $inputjson): string {
        $instance = $this->module->instantiate($this->memorymb, $this->timelimitms);
        $input = trim($inputjson) === '' ? 'null' : $inputjson;
        $request = '{"workflow":' . json_encode($workflow, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)
            . ',"input":' . $input . '}';
        $step = $instance->start($request);
        for ($i = 0; $i < self::MAX_STEPS; $i++) {
            // Steps are {"effect": ...}, {"done": ...} or {"error": ...}. The outcome is
            // cut out of the step unparsed, so the caller gets the module's exact bytes.
            if (str_starts_with($step, '{"done":')) {
                return substr($step, strlen('{"done":'), -1);
            }
            $decoded = json_decode($step, true, 512, JSON_THROW_ON_ERROR);
            if (isset($decoded['error'])) {
                $error = $decoded['error'];
                // The module's English message, and its text for pages to render in
                // the site's language (output\texts).
                throw new workflow_exception(
                    (string)($error['code'] ?? 'protocol'),
                    (string)($error['message'] ?? 'the workflow failed'),
                    isset($error['status']) ? (int)$error['status'] : null,
                    is_array($error['text'] ?? null) ? $error['text'] : null
                );
            }
            $effect = $decoded['effect'] ?? null;
            if (isset($effect['http'])) {
                $http = $effect['http'];
                $answer = $this->refusal((string)$http['url']) ?? $this->overrun() ?? $this->transport->send(
                    (string)$http['method'],
                    (string)$http['url'],
                    $http['headers'] ?? [],
                    $http['body'] ?? null,
                    (int)$http['timeout_ms']
                );
                if (isset($answer['transport_error'])) {
                    $step = $instance->resume(json_encode(['transport_error' => [
                        'kind' => (string)($answer['transport_error']['kind'] ?? 'other'),
                        'message' => (string)($answer['transport_error']['message'] ?? ''),
                    ]], JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE));
                } else {
                    $step = $instance->resumeHttp((int)$answer['status'], (string)$answer['body']);
                }
            } else if (isset($effect['sleep'])) {
                $ms = max(0, min(self::MAX_SLEEP_MS, (int)$effect['sleep']['ms']));
                if ($this->deadline !== null) {
                    // Never sleep past the deadline: the next request will report it.
                    $ms = (int)min($ms, max(0, ($this->deadline - microtime(true)) * 1000));
                }
                ($this->sleep)($ms);
                $step = $instance->resume('{}');
            } else if (isset($effect['progress'])) {
                $p = $effect['progress'];
                ($this->progress)((string)$p['stage'], (int)$p['done'], (int)$p['total']);
                $step = $instance->resume('{}');
            } else {
                throw new workflow_exception('protocol', 'the module asked for an effect this host does not know');
            }
        }
        throw new workflow_exception('protocol', 'the workflow did not finish within ' . self::MAX_STEPS . ' steps');
    }

    /**
     * A timeout for a request past the deadline, else null.
     *
     * @return array|null
     */
    private function overrun(): ?array {
        if ($this->deadline === null || microtime(true) < $this->deadline) {
            return null;
        }
        return ['transport_error' => ['kind' => 'timeout', 'message' => 'the sync ran out of its time budget']];
    }

    /**
     * A transport error for a request to a server the workflow was not given, else null.
     * The module gets an answer (so it can report what it did so far); nothing is sent.
     *
     * @param string $url Requested URL.
     * @return array|null
     */
    private function refusal(string $url): ?array {
        if ($this->allowedorigins === null || in_array(self::origin($url), $this->allowedorigins, true)) {
            return null;
        }
        return ['transport_error' => ['kind' => 'other',
            'message' => 'refused: the request was not for the connection\'s kuraCloud server']];
    }
}
