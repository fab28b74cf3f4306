import Foundation
import RPC
#if canImport(Glibc)
import Glibc
#endif

/// A failed read or write on a client connection (errno).
struct IOFailure: Error { let errno: Int32 }

/// The few socket calls HTTP needs beyond RPC's wrapper: partial reads into a caller's buffer,
/// writes straight from `Data`, half-close.
extension Socket {
    enum ReadResult { case bytes(Int), endOfStream, timedOut }

    /// Read what is there (up to `into.count`), waiting at most `timeoutSeconds` for the first byte.
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutSeconds: Double) throws(IOFailure) -> ReadResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfStream }
            let e = Glibc.errno
            if e == EINTR { continue }
            guard e == EAGAIN || e == EWOULDBLOCK else { throw IOFailure(errno: e) }
            guard timeoutSeconds > 0 else { return .timedOut }
            do {
                guard try waitReadable(timeoutSeconds: timeoutSeconds) else { return .timedOut }
            } catch { throw IOFailure(errno: error.errno) }
        }
    }

    /// Write all bytes; returns 0 or the errno (a peer that stops reading is bounded by the send timeout).
    private func sendAll(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var sent = 0
        while sent < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            if n > 0 { sent += n; continue }
            if n < 0 && Glibc.errno == EINTR { continue }
            return n < 0 ? Glibc.errno : EPIPE
        }
        return 0
    }

    func send(_ bytes: [UInt8]) throws(IOFailure) {
        let e = bytes.withUnsafeBytes { sendAll($0) }
        if e != 0 { throw IOFailure(errno: e) }
    }

    func send(_ data: Data) throws(IOFailure) {
        let e = data.withUnsafeBytes { $0.count > 0 ? sendAll($0) : 0 }
        if e != 0 { throw IOFailure(errno: e) }
    }

    /// Done sending: the peer sees end of stream, and can still be drained.
    func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    func setNonBlocking() { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
}

extension Socket {
    /// Whether the client has closed its side (checked without waiting or consuming anything; bytes of a
    /// pipelined next request do not count as closed).
    func peerHasClosed() -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        if p.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }
}
