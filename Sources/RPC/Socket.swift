import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A failed socket call: which operation and the errno text.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let errno: Int32
    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
    public var isTimeout: Bool { errno == EAGAIN || errno == EWOULDBLOCK || errno == ETIMEDOUT }
}

/// The one thin, total wrapper around a POSIX TCP socket: every syscall is
/// here, returning typed errors; nothing above sees errno or C pointers.
public final class Socket: @unchecked Sendable {
    // The descriptor is immutable after init; close/shutdown are idempotent through `closed`.
    public let fd: Int32
    private let closed = Atomic(false)

    init(fd: Int32) { self.fd = fd }

    deinit { close() }

    private static func check(_ result: Int32, _ op: String) throws(SocketError) {
        if result < 0 { throw SocketError(operation: op, errno: Glibc.errno) }
    }

    private static func streamSocket(family: Int32) throws(SocketError) -> Int32 {
        let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try check(fd, "socket")
        return fd
    }

    /// Resolve "host" and port to socket addresses (numeric or names such as localhost).
    static func resolve(host: String, port: UInt16, passive: Bool) throws(SocketError) -> [(family: Int32, address: [UInt8])] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        if passive { hints.ai_flags = AI_PASSIVE }
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &result)
        guard status == 0, let first = result else { throw SocketError(operation: "resolve \(host)", errno: ENOENT) }
        defer { freeaddrinfo(first) }
        var out: [(Int32, [UInt8])] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let a = p {
            let bytes = UnsafeRawBufferPointer(start: a.pointee.ai_addr, count: Int(a.pointee.ai_addrlen))
            out.append((a.pointee.ai_family, Array(bytes)))
            p = a.pointee.ai_next
        }
        return out
    }

    /// A listening socket on host:port (port 0 picks a free one; see `localPort`).
    public static func listen(host: String, port: UInt16, backlog: Int32 = 512) throws(SocketError) -> Socket {
        guard let addr = try resolve(host: host, port: port, passive: true).first else {
            throw SocketError(operation: "resolve \(host)", errno: ENOENT)
        }
        let fd = try streamSocket(family: addr.family)
        let s = Socket(fd: fd)
        var one: Int32 = 1
        try check(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)), "setsockopt SO_REUSEADDR")
        try check(addr.address.withUnsafeBytes { Glibc.bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count)) },
                  "bind \(host):\(port)")
        try check(Glibc.listen(fd, backlog), "listen")
        return s
    }

    /// The port this socket is bound to.
    public var localPort: UInt16 {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// The peer's numeric address ("127.0.0.1", "::1"); IPv4-mapped IPv6 addresses are given as IPv4. Empty if unknown.
    public var peerHost: String {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &len) } }
        guard ok == 0 else { return "" }
        return Self.numericHost(&storage, len)
    }

    static func numericHost(_ storage: inout sockaddr_storage, _ len: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let r = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getnameinfo($0, len, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) }
        }
        guard r == 0 else { return "" }
        let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.hasPrefix("::ffff:") && text.contains(".") ? String(text.dropFirst(7)) : text
    }

    /// The numeric addresses `host` resolves to (IPv4-mapped given as IPv4); empty if it does not resolve.
    public static func numericAddresses(of host: String) -> Set<String> {
        guard let all = try? resolve(host: host, port: 0, passive: false) else { return [] }
        var out: Set<String> = []
        for a in all {
            var storage = sockaddr_storage()
            let n = min(a.address.count, MemoryLayout<sockaddr_storage>.size)
            withUnsafeMutableBytes(of: &storage) { dst in a.address.withUnsafeBytes { dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(n))) } }
            let h = numericHost(&storage, socklen_t(n))
            if !h.isEmpty { out.insert(h) }
        }
        return out
    }

    /// Block until a connection arrives; `shutdown()` from another thread wakes it with an error.
    public func accept() throws(SocketError) -> Socket {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                let s = Socket(fd: client)
                s.setNoDelay()
                return s
            }
            if Glibc.errno == EINTR { continue }
            throw SocketError(operation: "accept", errno: Glibc.errno)
        }
    }

    /// Connect with a timeout (non-blocking connect + poll).
    public static func connect(host: String, port: UInt16, timeoutSeconds: Double) throws(SocketError) -> Socket {
        var lastError = SocketError(operation: "connect \(host):\(port)", errno: ECONNREFUSED)
        for addr in try resolve(host: host, port: port, passive: false) {
            let fd = try streamSocket(family: addr.family)
            let s = Socket(fd: fd)
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let r = addr.address.withUnsafeBytes { Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count)) }
            if r < 0 && Glibc.errno != EINPROGRESS {
                lastError = SocketError(operation: "connect \(host):\(port)", errno: Glibc.errno)
                continue
            }
            if r < 0 {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&p, 1, Int32(max(1, timeoutSeconds * 1000)))
                if ready == 0 { lastError = SocketError(operation: "connect \(host):\(port)", errno: ETIMEDOUT); continue }
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                if ready < 0 || err != 0 {
                    lastError = SocketError(operation: "connect \(host):\(port)", errno: err != 0 ? err : Glibc.errno)
                    continue
                }
            }
            _ = fcntl(fd, F_SETFL, flags)
            s.setNoDelay()
            return s
        }
        throw lastError
    }

    private func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Bound how long a blocked send may wait for a peer that does not read.
    public func setSendTimeout(seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Wait until readable; false on timeout. A negative timeout waits forever.
    public func waitReadable(timeoutSeconds: Double) throws(SocketError) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ms: Int32 = timeoutSeconds < 0 ? -1 : Int32(min(max(timeoutSeconds * 1000, 0), Double(Int32.max)))
            let r = poll(&p, 1, ms)
            if r > 0 { return true }
            if r == 0 { return false }
            if Glibc.errno == EINTR { continue }
            throw SocketError(operation: "poll", errno: Glibc.errno)
        }
    }

    /// Read exactly `count` bytes, waiting at most `timeoutSeconds` for each chunk and `totalSeconds`
    /// for all of them. Memory grows as bytes arrive (a length prefix alone reserves nothing), and
    /// each growth is first reserved with `reserve` (false: refused with ENOBUFS; the caller keeps
    /// count of what it granted and releases that once the bytes are no longer held).
    /// Returns nil on a clean end of stream before the first byte.
    public func readExactly(count: Int, timeoutSeconds: Double, totalSeconds: Double = .infinity,
                            reserve: ((Int) -> Bool)? = nil) throws(SocketError) -> [UInt8]? {
        let end = totalSeconds.isFinite ? DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, totalSeconds) * 1e9) : UInt64.max
        // Uninitialized: recv fills it (no memset of large frames). Small reads get all at once.
        let first = min(count, 256 << 10)
        if let reserve, !reserve(first) { throw SocketError(operation: "read (the budget for buffered frames is spent)", errno: ENOBUFS) }
        var buffer = [UInt8](unsafeUninitializedCapacity: first) { _, initialized in initialized = first }
        var got = 0
        while got < count {
            if got == buffer.count {
                let grown = min(count, buffer.count * 2)
                if let reserve, !reserve(grown - buffer.count) {
                    throw SocketError(operation: "read (the budget for buffered frames is spent)", errno: ENOBUFS)
                }
                // Uninitialized beyond what arrived: pages are touched only when bytes land in them.
                let old = buffer
                buffer = [UInt8](unsafeUninitializedCapacity: grown) { p, initialized in
                    _ = old.withUnsafeBufferPointer { memcpy(p.baseAddress!, $0.baseAddress!, got) }
                    initialized = grown
                }
            }
            // Try first; wait (bounded) only when nothing is there yet: one syscall per chunk in the common case.
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, $0.count - got, Int32(MSG_DONTWAIT)) }
            if n > 0 { got += n; continue }
            if n == 0 {
                if got == 0 { return nil }
                throw SocketError(operation: "read (peer closed mid-frame)", errno: ECONNRESET)
            }
            let e = Glibc.errno
            if e == EINTR { continue }
            guard e == EAGAIN || e == EWOULDBLOCK else { throw SocketError(operation: "read", errno: e) }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < end else { throw SocketError(operation: "read (the frame did not arrive within \(totalSeconds) s)", errno: ETIMEDOUT) }
            let left = end == .max ? timeoutSeconds : min(timeoutSeconds, Double(end - now) / 1e9)
            guard try waitReadable(timeoutSeconds: left) else {
                if left < timeoutSeconds { throw SocketError(operation: "read (the frame did not arrive within \(totalSeconds) s)", errno: ETIMEDOUT) }
                throw SocketError(operation: "read (peer silent for \(timeoutSeconds) s)", errno: ETIMEDOUT)
            }
        }
        return buffer
    }

    /// Write all bytes (MSG_NOSIGNAL: a dead peer is an error, not SIGPIPE).
    public func writeAll(_ bytes: [UInt8]) throws(SocketError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0 && Glibc.errno == EINTR { continue }
            throw SocketError(operation: "write", errno: n < 0 ? Glibc.errno : EPIPE)
        }
    }

    /// Wake any thread blocked on this socket (accept or recv) without freeing the descriptor.
    public func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Stop reading (wakes a blocked recv) but keep sending: used to drain a connection.
    public func shutdownRead() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RD))
    }

    public func close() {
        if closed.exchange(true, ordering: .acquiringAndReleasing) { return }
        _ = Glibc.close(fd)
    }
}
