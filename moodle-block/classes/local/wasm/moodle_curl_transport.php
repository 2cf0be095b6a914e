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
 * Sends the module's HTTP requests with Moodle's \curl, honouring the site's blocked
 * hosts and ports (Site administration > Security > HTTP security).
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class moodle_curl_transport implements transport {
    /** @var int Requests sent, for reports. */
    public int $requests = 0;

    /**
     * Constructor.
     *
     * @param int $maxbytes Largest response body accepted; the transfer is aborted past it.
     */
    public function __construct(
        /** @var int Largest response body accepted, bytes. */
        private readonly int $maxbytes = 64 * 1024 * 1024,
    ) {
    }

    /**
     * Sends one request.
     *
     * @param string $method HTTP method.
     * @param string $url Absolute URL.
     * @param array $headers List of [name, value] pairs.
     * @param string|null $body Request body.
     * @param int $timeoutms Timeout, ms.
     * @return array See {@see transport::send()}.
     */
    public function send(string $method, string $url, array $headers, ?string $body, int $timeoutms): array {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        $this->requests++;
        $curl = new \curl();
        $lines = [];
        foreach ($headers as [$name, $value]) {
            $lines[] = $name . ': ' . $value;
        }
        $curl->setHeader($lines);
        $options = [
            'CURLOPT_TIMEOUT_MS' => max(1, $timeoutms),
            'CURLOPT_CONNECTTIMEOUT_MS' => max(1, min($timeoutms, 10000)),
            'CURLOPT_FOLLOWLOCATION' => false,
            'CURLOPT_NOSIGNAL' => 1,
            // Abort as soon as the body (announced or received) exceeds the cap: a hostile
            // server cannot fill the worker's memory.
            'CURLOPT_NOPROGRESS' => 0,
            'CURLOPT_XFERINFOFUNCTION' => function ($handle, $dltotal, $dlnow) use (&$toolarge): int {
                if ($dltotal > $this->maxbytes || $dlnow > $this->maxbytes) {
                    $toolarge = true;
                    return 1;
                }
                return 0;
            },
        ];
        $toolarge = false;
        switch ($method) {
            case 'GET':
                $response = $curl->get($url, [], $options);
                break;
            case 'POST':
                $response = $curl->post($url, $body ?? '', $options);
                break;
            case 'PUT':
                $response = $curl->put($url, $body ?? '', $options);
                break;
            default:
                $options['CURLOPT_CUSTOMREQUEST'] = $method;
                $response = $curl->post($url, $body ?? '', $options);
        }
        $errno = $curl->get_errno();
        if ($toolarge) {
            return ['transport_error' => ['kind' => 'other', 'message' => 'the response is larger than '
                . round($this->maxbytes / 1048576, 1) . ' MiB, the limit set for kuraCloud responses']];
        }
        $info = $curl->get_info();
        $status = (int)($info['http_code'] ?? 0);
        if ($errno || $status === 0) {
            $message = (string)($curl->error ?: 'no answer');
            $kind = $errno === CURLE_OPERATION_TIMEDOUT ? 'timeout' : ($errno === 0 || in_array($errno,
                [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST], true) ? 'connect' : 'other');
            return ['transport_error' => ['kind' => $kind, 'message' => $message]];
        }
        return ['status' => $status, 'body' => (string)$response];
    }
}
