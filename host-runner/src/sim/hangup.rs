//! Shutting down one accepted connection, found by its two addresses, for the
//! simulator's `drop` fault. tiny_http keeps its sockets to itself; the process's own
//! file descriptors are searched for the socket whose local address is the server's
//! and whose peer is the request's client, and that socket is shut down both ways.
//! The client then reads end of file where an answer should be (curl: "Empty reply
//! from server"), exactly what it sees when a server or a proxy dies mid-request.

use std::net::SocketAddr;

/// Shuts down the socket connecting `local` (the server) and `peer` (the client).
/// False when no such socket is open in this process (or on a platform without
/// sockets as file descriptors).
pub fn shut_down(local: SocketAddr, peer: SocketAddr) -> bool {
    imp::shut_down(local, peer)
}

#[cfg(unix)]
mod imp {
    use std::mem::ManuallyDrop;
    use std::net::{Shutdown, SocketAddr, TcpStream};
    use std::os::fd::{FromRawFd, RawFd};

    /// The descriptors to look at: those the process has open (Linux lists them), or
    /// the first few thousand elsewhere.
    fn descriptors() -> Vec<RawFd> {
        match std::fs::read_dir("/proc/self/fd") {
            Ok(dir) => dir
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect(),
            Err(_) => (0..4096).collect(),
        }
    }

    pub fn shut_down(local: SocketAddr, peer: SocketAddr) -> bool {
        for fd in descriptors() {
            // A view of the descriptor as a socket, never closed by us (ManuallyDrop):
            // tiny_http owns it and closes it.
            #[allow(unsafe_code)]
            // SAFETY: the TcpStream is only borrowed for getsockname, getpeername and
            // shutdown, which take no pointer from us and fail harmlessly (ENOTSOCK,
            // ENOTCONN, EBADF) on a descriptor that is not a connected socket or was
            // closed since it was listed; ManuallyDrop keeps it from closing a
            // descriptor it does not own.
            let socket = ManuallyDrop::new(unsafe { TcpStream::from_raw_fd(fd) });
            if socket.local_addr().ok() != Some(local) || socket.peer_addr().ok() != Some(peer) {
                continue;
            }
            // Ends the connection for every descriptor sharing the socket (tiny_http
            // holds two, a reader and a writer): they read end of file and fail to
            // write, as when a client goes away.
            return socket.shutdown(Shutdown::Both).is_ok();
        }
        false
    }
}

#[cfg(not(unix))]
mod imp {
    use std::net::SocketAddr;

    pub fn shut_down(_local: SocketAddr, _peer: SocketAddr) -> bool {
        false
    }
}
