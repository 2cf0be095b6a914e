use tiny_http as _;
use ureq as _;
use wasmtime as _;
