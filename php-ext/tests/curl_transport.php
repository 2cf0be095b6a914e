<?php
// Test support: a transport on PHP's curl extension (the Moodle block uses Moodle's \curl).

use block_kuracloud\local\wasm\transport;

final class curl_transport implements transport {
    /** @var int Requests sent. */
    public int $requests = 0;

    public function send(string $method, string $url, array $headers, ?string $body, int $timeoutms): array {
        $this->requests++;
        $ch = curl_init($url);
        $lines = [];
        foreach ($headers as [$name, $value]) {
            $lines[] = $name . ': ' . $value;
        }
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT_MS => max(1, $timeoutms),
            CURLOPT_FOLLOWLOCATION => false,
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        $response = curl_exec($ch);
        if ($response === false) {
            $errno = curl_errno($ch);
            $message = curl_error($ch);
            curl_close($ch);
            $kind = $errno === CURLE_OPERATION_TIMEDOUT ? 'timeout'
                : (in_array($errno, [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST], true) ? 'connect' : 'other');
            return ['transport_error' => ['kind' => $kind, 'message' => $message]];
        }
        $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'body' => $response];
    }
}
