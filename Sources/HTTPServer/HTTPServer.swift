import Foundation
import RPC
import Scheduling
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Limits and timeouts of the HTTP server. Every one bounds what an anonymous client can hold.
public struct HTTPServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 0
    public var head = HeadLimits()
    /// From a request's first byte to the end of its head (slow-header clients are closed).
    public var headerTimeoutSeconds = 10.0
    /// A kept-alive connection with no request is closed after this…
    public var idleTimeoutSeconds = 30.0
    /// …or after this when more than three quarters of `maxConnections` are open.
    public var idleTimeoutUnderPressureSeconds = 2.0
    /// Each chunk of a body must arrive within this…
    public var bodyReadTimeoutSeconds = 10.0
    /// …and the whole body within `bodyGraceSeconds` + its length at `bodyMinimumBytesPerSecond`:
    /// a client trickling a byte now and then cannot hold a connection for long.
    public var bodyGraceSeconds = 10.0
    public var bodyMinimumBytesPerSecond = 256.0 * 1024
    /// Bytes of request bodies buffered at once, all connections together (bodies are buffered as they
    /// arrive, within this; a body that does not fit is refused with 503 and Retry-After).
    public var bodyBudgetBytes = 256 << 20
    /// Connections one client address may hold (503 beyond): a single client cannot fill the cap.
    public var maxConnectionsPerClient = 128
    /// Connections accepted beyond the cap for health checks only (GET /healthz answered at once,
    /// anything else 503): a full cap never hides whether the server is alive.
    public var healthReserve = 16
    /// A client that does not read its answer cannot block the server longer than this.
    public var sendTimeoutSeconds = 30.0
    /// Open connections (each has a thread); further ones get 503. nil: 512, or half the
    /// descriptor limit when that is lower (a value given is used as is).
    public var maxConnections: Int?
    /// The largest body accepted for a path (413 beyond).
    public var maxBodyBytes: @Sendable (_ method: HTTPMethod, _ path: String) -> Int = { _, _ in 1 << 20 }
    /// accept() failing this long while the server holds no connection means it cannot serve: `onFatal`.
    public var acceptStuckSeconds = 30.0
    /// Called once when the listener cannot serve any more (the process should exit and be restarted).
    public var onFatal: @Sendable (String) -> Void = { _ in }
    /// Operational events (refusals, accept errors), rate-limited by the server.
    public var log: @Sendable (String) -> Void = { _ in }

    public init(host: String = "127.0.0.1", port: UInt16 = 0) {
        self.host = host
        self.port = port
    }
}

/// An HTTP/1.1 server on blocking POSIX sockets: one accept thread, one thread per connection
/// (never the Swift concurrency pool), keep-alive, HEAD, bodies by Content-Length, limits enforced
/// as bytes arrive. A handler's `immediateResponse` answers on the connection thread; everything
/// else runs as a task while the connection thread waits.
public final class HTTP1Server: Sendable {
    public let config: HTTPServerConfig
    private let handler: any HTTPHandler
    private let listener: Socket
    private struct State {
        var connections: [Int: Socket] = [:]
        /// Open connections per client address (see `maxConnectionsPerClient`).
        var perClient: [String: Int] = [:]
        /// Connections open beyond the cap, for health checks only.
        var healthOnly = 0
        var nextId = 0
        var draining = false
    }
    /// Shared by the bodies being read (see `HTTPServerConfig.bodyBudgetBytes`).
    let bodyBudget: ByteBudget
    private let state = Mutex(State())
    private let acceptExited = Atomic(false)
    /// Effective cap (config, lowered to what the descriptor limit allows).
    public let maxConnections: Int

    /// Bind and start serving.
    public init(handler: any HTTPHandler, config: HTTPServerConfig) throws(SocketError) {
        self.handler = handler
        self.config = config
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let fdCap = limit.rlim_cur >= rlim_t(Int32.max) ? Int.max : max(8, Int(limit.rlim_cur) / 2)
        maxConnections = config.maxConnections ?? min(512, fdCap)
        bodyBudget = ByteBudget(limit: config.bodyBudgetBytes)
        listener = try Socket.listen(host: config.host, port: config.port)
        listener.setNonBlocking()
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "http-accept"
        thread.start()
    }

    public var port: UInt16 { listener.localPort }

    /// Connections open now (tests, metrics).
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    // MARK: accepting

    private func acceptLoop() {
        defer { acceptExited.store(true, ordering: .releasing) }
        // A descriptor kept in reserve: when the process runs out, it is freed to accept and refuse
        // one waiting client with a clear answer instead of leaving it hanging in the backlog.
        var spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
        var backoff = 0.01
        var failingSince: Double?
        var lastLog = -1e9
        var lingering: [(socket: Socket, until: Double)] = []
        while !state.withLock({ $0.draining }) {
            let now = Self.now()
            lingering.removeAll { entry in
                guard entry.until <= now else { return false }
                entry.socket.close()
                return true
            }
            do {
                guard try listener.waitReadable(timeoutSeconds: lingering.isEmpty ? 1 : 0.2) else { continue }
            } catch {
                if state.withLock({ $0.draining }) { return }
                fatal("poll on the listener failed: \(error)")
                return
            }
            let socket: Socket
            do {
                socket = try listener.accept()
                backoff = 0.01
                failingSince = nil
            } catch {
                if state.withLock({ $0.draining }) { return }
                switch error.errno {
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO, EPERM, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET,
                     EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH:
                    continue  // this client is gone; the listener is fine
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    if now - lastLog > 10 {
                        config.log("accept: \(error) (\(connectionCount) HTTP connections open); refusing with 503 and backing off")
                        lastLog = now
                    }
                    if spare >= 0 {
                        // Every client waiting in the backlog gets its 503 now (each reuses the freed descriptor).
                        Glibc.close(spare)
                        spare = -1
                        var refused = 0
                        while refused < 256, let s = try? listener.accept() {
                            refuse(s, "the server is out of resources; try again shortly")
                            s.close()
                            refused += 1
                        }
                        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
                    }
                    if failingSince == nil { failingSince = now }
                    if let since = failingSince, now - since > config.acceptStuckSeconds, connectionCount == 0 {
                        fatal("accept has failed for \(Int(now - since)) s with no connection of its own open: \(error)")
                        return
                    }
                    Thread.sleep(forTimeInterval: backoff)
                    backoff = min(backoff * 2, 1)
                    continue
                default:
                    fatal("accept failed: \(error)")
                    return
                }
            }
            socket.setSendTimeout(seconds: config.sendTimeoutSeconds)
            let peer = socket.peerHost
            enum Admission { case serve(Int), healthOnly(Int), refused(String) }
            let admission: Admission = state.withLock { s in
                if s.draining { return .refused("the server is shutting down") }
                if s.perClient[peer, default: 0] >= config.maxConnectionsPerClient {
                    return .refused("your address has \(config.maxConnectionsPerClient) connections open here; close some and try again")
                }
                let health = s.connections.count - s.healthOnly >= maxConnections
                if health && s.healthOnly >= config.healthReserve {
                    return .refused("the server has \(maxConnections) connections open; try again shortly")
                }
                s.nextId += 1
                s.connections[s.nextId] = socket
                s.perClient[peer, default: 0] += 1
                if health { s.healthOnly += 1 }
                return health ? .healthOnly(s.nextId) : .serve(s.nextId)
            }
            let id: Int, healthOnly: Bool
            switch admission {
            case .serve(let i): (id, healthOnly) = (i, false)
            case .healthOnly(let i): (id, healthOnly) = (i, true)
            case .refused(let why):
                if now - lastLog > 10 {
                    config.log("refusing a connection from \(peer) with 503: \(why)")
                    lastLog = now
                }
                refuse(socket, why)
                // Closed a moment later so the client reads the answer instead of a reset.
                if lingering.count >= 64 { lingering.removeFirst().socket.close() }
                lingering.append((socket, now + 0.5))
                continue
            }
            let t = Thread { [self] in
                HTTPConnection(socket: socket, server: self, peerHost: peer, healthOnly: healthOnly).run()
                // Closed under the lock: `stop` never shuts down a descriptor number already reused.
                state.withLock { s in
                    s.connections.removeValue(forKey: id)
                    if let n = s.perClient[peer] { s.perClient[peer] = n > 1 ? n - 1 : nil }
                    if healthOnly { s.healthOnly -= 1 }
                    socket.close()
                }
            }
            t.name = "http-conn-\(id)"
            t.stackSize = 512 << 10
            t.start()
        }
        for entry in lingering { entry.socket.close() }
        if spare >= 0 { Glibc.close(spare) }
    }

    /// A 503 written without blocking (the socket's buffer is empty), then half-closed.
    private func refuse(_ socket: Socket, _ message: String) {
        var drain = [UInt8](repeating: 0, count: 4096)
        _ = drain.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        let response = HTTPResponse.error(.serviceUnavailable, message)
        let bytes = HTTPConnection.head(for: response, bodyLength: response.body.count, keepAlive: false,
                                        extra: "Retry-After: 1\r\n") + Array(response.body)
        _ = bytes.withUnsafeBytes { Glibc.send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        socket.shutdownWrite()
    }

    private let fatalOnce = Atomic(false)
    private func fatal(_ reason: String) {
        if fatalOnce.exchange(true, ordering: .acquiringAndReleasing) { return }
        config.log("the HTTP listener cannot serve: \(reason)")
        config.onFatal(reason)
    }

    var isDraining: Bool { state.withLock { $0.draining } }
    var underPressure: Bool { connectionCount * 4 > maxConnections * 3 }
    func handle(_ request: HTTPRequest) -> HTTPResponse? { handler.immediateResponse(to: request) }
    func refuseBody(of request: HTTPRequest) -> HTTPResponse? { handler.refuseBody(of: request) }
    func handleAsync(_ request: HTTPRequest) async -> HTTPResponse {
        do { return try await handler.handleRequest(request) } catch {
            config.log("\(request.method) \(request.path): unhandled error: \(error)")
            return .error(.internalServerError, "internal error")
        }
    }

    /// Stop accepting, let requests in progress finish (up to `timeout`), then close everything.
    public func stop(timeout: Double = 5) async {
        state.withLock { s in
            s.draining = true
            for c in s.connections.values { c.shutdownRead() }
        }
        let deadline = Deadline.after(seconds: timeout)
        while connectionCount > 0 && !deadline.hasPassed { try? await Task.sleep(nanoseconds: 5_000_000) }
        state.withLock { s in for c in s.connections.values { c.shutdown() } }
        while !acceptExited.load(ordering: .acquiring) { try? await Task.sleep(nanoseconds: 1_000_000) }
        listener.close()
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
