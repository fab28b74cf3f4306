import Foundation
import Scheduling
import Synchronization
import Wire

/// Limits and timeouts of a server. Defaults suit a service on a LAN.
public struct RPCServerConfig: Sendable {
    /// Bind address: loopback unless told otherwise.
    public var host = "127.0.0.1"
    public var port: UInt16 = 0
    public var maxFrameBytes = Framing.defaultMaxFrameBytes
    /// A connection with nothing in flight that sends nothing for this long is closed.
    public var idleTimeoutSeconds = 120.0
    /// Once a frame has started, each further chunk must arrive within this…
    public var readTimeoutSeconds = 10.0
    /// …and the whole frame within this (a byte now and then cannot hold a connection).
    public var frameTimeoutSeconds = 30.0
    /// Bytes of frames being received on anonymous connections, all together: bodies are buffered as
    /// they arrive and only within this, so held or slow frames cannot take the server's memory.
    public var anonymousFrameBudgetBytes = 64 << 20
    /// A peer that does not read its answers cannot block a sender longer than this.
    public var sendTimeoutSeconds = 30.0
    /// Connections open to anyone (lab tools, anonymous callers).
    public var maxConnections = 512
    /// Anonymous connections one address may hold; beyond it a connection must say hello with the
    /// token first (as beyond `maxConnections`), so one client cannot take every anonymous slot.
    public var maxAnonymousConnectionsPerClient = 128
    /// Calls in flight on one connection of a known client (the edge's pooled connections carry many)…
    public var maxInFlightPerConnection = 256
    /// …and of an anonymous one.
    public var maxInFlightPerAnonymousConnection = 64
    /// The deployment token: a connection that presents it (`RPCServer.hello`) is a known client,
    /// with connections reserved beyond `maxConnections` and the normal idle timeout. Nil: none.
    public var token: String?
    /// Connections kept for known clients when anonymous ones use up `maxConnections`.
    public var reservedConnections = 64
    /// With more than half of `maxConnections` taken by anonymous callers, their idle ones are closed after this.
    public var pressureIdleTimeoutSeconds = 2.0
    /// A connection accepted beyond `maxConnections` must prove it is a known client within this.
    public var helloTimeoutSeconds = 1.0

    public init(host: String = "127.0.0.1", port: UInt16 = 0) {
        self.host = host
        self.port = port
    }
}

/// A length-prefixed protobuf RPC server on blocking POSIX sockets: one accept
/// thread, one reader thread per connection (never the Swift concurrency pool),
/// handlers as tasks, responses matched by request id, deadlines enforced,
/// graceful shutdown that lets in-flight calls finish.
public final class RPCServer: Sendable {
    public let config: RPCServerConfig
    private let routes: RPCRoutes
    private let listener: Socket
    /// The method a client calls first to prove it holds the deployment token (payload: the token's UTF-8).
    public static let hello = "/spotfinder.v1.RPC/Hello"
    /// A client that stops waiting for a call sends this with the call's request id (no payload, no answer):
    /// the call's `CancellationFlag` is set, so its work stops on every hop within a moment.
    public static let cancel = "/spotfinder.v1.RPC/Cancel"
    /// Shared by the anonymous connections' frames being received (see `RPCServerConfig.anonymousFrameBudgetBytes`).
    let frameBudget: ByteBudget

    private struct State {
        var connections: [Int: ServerConnection] = [:]
        /// Connections not (yet) proven to be known clients.
        var anonymous = 0
        /// The same, per peer address.
        var anonymousPerPeer: [String: Int] = [:]
        var nextId = 0
        var draining = false
    }
    private let state = Mutex(State())
    private let acceptExited = Atomic(false)

    /// Bind and start serving.
    public init(routes: RPCRoutes, config: RPCServerConfig) throws(SocketError) {
        self.routes = routes
        self.config = config
        frameBudget = ByteBudget(limit: config.anonymousFrameBudgetBytes)
        listener = try Socket.listen(host: config.host, port: config.port)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "rpc-accept"
        thread.start()
    }

    public var port: UInt16 { listener.localPort }

    /// Connections currently open (for tests and metrics).
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Calls being handled right now (for tests and metrics).
    public var callsInFlight: Int { state.withLock { Array($0.connections.values) }.reduce(0) { $0 + $1.callsInFlight } }

    private func acceptLoop() {
        defer { acceptExited.store(true, ordering: .releasing) }
        while true {
            let socket: Socket
            do { socket = try listener.accept() } catch {
                if state.withLock({ $0.draining }) { return }
                if error.errno == EMFILE || error.errno == ENFILE { Thread.sleep(forTimeInterval: 0.05) }
                continue
            }
            socket.setSendTimeout(seconds: config.sendTimeoutSeconds)
            let peer = socket.peerHost
            let connection: ServerConnection? = state.withLock { s in
                guard !s.draining, s.connections.count < config.maxConnections + config.reservedConnections else { return nil }
                s.nextId += 1
                s.anonymous += 1
                s.anonymousPerPeer[peer, default: 0] += 1
                // Beyond the anonymous limits (overall, per address) only a known client may stay (it says hello first).
                let crowded = s.anonymous > config.maxConnections || s.anonymousPerPeer[peer, default: 0] > config.maxAnonymousConnectionsPerClient
                let c = ServerConnection(id: s.nextId, socket: socket, server: self, mustSayHello: crowded)
                s.connections[c.id] = c
                return c
            }
            guard let connection else {
                // Over the limit: say so, then close.
                let refusal = Envelope(kind: .response, statusCode: StatusCode.resourceExhausted.rawValue,
                                       statusMessage: "server has \(config.maxConnections) connections open; try again later")
                if let frame = try? Framing.encode(refusal, maxFrameBytes: config.maxFrameBytes) {
                    try? socket.writeAll(frame)
                }
                socket.close()
                continue
            }
            let t = Thread { connection.run() }
            t.name = "rpc-conn-\(connection.id)"
            t.stackSize = 256 << 10
            t.start()
        }
    }

    fileprivate var isDraining: Bool { state.withLock { $0.draining } }

    fileprivate func handler(for method: String) -> RPCHandler? { routes.handlers[method] }
    fileprivate func inlineHandler(for method: String) -> RPCInlineHandler? { routes.inlineHandlers[method] }
    fileprivate func policy(for method: String) -> MethodPolicy { routes.policy(for: method) }

    fileprivate func connectionClosed(_ id: Int) {
        state.withLock { s in
            if let c = s.connections.removeValue(forKey: id), !c.isKnown { Self.forgetAnonymous(c.peer, &s) }
        }
    }

    fileprivate func connectionBecameKnown(_ peer: String) { state.withLock { Self.forgetAnonymous(peer, &$0) } }

    private static func forgetAnonymous(_ peer: String, _ s: inout State) {
        s.anonymous -= 1
        if let n = s.anonymousPerPeer[peer] { s.anonymousPerPeer[peer] = n > 1 ? n - 1 : nil }
    }

    /// How long an idle connection may stay: anonymous ones much sooner while they crowd the server.
    fileprivate func idleTimeout(known: Bool) -> Double {
        if known { return config.idleTimeoutSeconds }
        let crowded = state.withLock { $0.anonymous } * 2 > config.maxConnections
        return crowded ? min(config.pressureIdleTimeoutSeconds, config.idleTimeoutSeconds) : config.idleTimeoutSeconds
    }

    /// Anonymous connections open now (for tests and metrics).
    public var anonymousConnectionCount: Int { state.withLock { $0.anonymous } }

    /// Stop accepting, let in-flight calls finish (up to `graceSeconds`), then close everything.
    public func shutdown(graceSeconds: Double = 10) async {
        let connections = state.withLock { s -> [ServerConnection] in
            s.draining = true
            return Array(s.connections.values)
        }
        listener.shutdown()
        for c in connections { c.stopReading() }
        let deadline = Deadline.after(seconds: graceSeconds)
        while connectionCount > 0 && !deadline.hasPassed {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        for c in state.withLock({ Array($0.connections.values) }) { c.forceClose() }
        while !acceptExited.load(ordering: .acquiring) { try? await Task.sleep(nanoseconds: 1_000_000) }
        listener.close()
    }
}

/// One accepted connection: reads frames on its own thread, answers from tasks.
final class ServerConnection: Sendable {
    let id: Int
    private let socket: Socket
    // Strong: a handler still running after shutdown keeps the server alive (the cycle ends when the connection closes).
    private let server: RPCServer
    private let sendLock = Mutex(())
    private struct Flight {
        var inFlight = 0
        var readerDone = false
        var closed = false
        /// The calls being handled, by request id: a Cancel frame or the peer going away sets their flags.
        var calls: [UInt64: CancellationFlag] = [:]
    }
    private let flight = Mutex(Flight())
    private let known = Atomic(false)
    private let mustSayHello: Bool
    private let peerHost: String

    init(id: Int, socket: Socket, server: RPCServer, mustSayHello: Bool) {
        self.id = id
        self.socket = socket
        self.server = server
        self.mustSayHello = mustSayHello
        peerHost = socket.peerHost
    }

    var isKnown: Bool { known.load(ordering: .acquiring) }
    var peer: String { peerHost }

    func run() {
        let config = server.config
        if mustSayHello && !awaitHello() {
            reply(id: 0, method: "", code: .resourceExhausted,
                  message: "server has \(config.maxConnections) connections open (\(config.maxAnonymousConnectionsPerClient) anonymous ones per address); try again later")
            socket.shutdown()
            let closeNow = flight.withLock { f -> Bool in f.readerDone = true; return f.inFlight == 0 }
            if closeNow { close() }
            return
        }
        readLoop: while !server.isDraining {
            // Wait for the next frame; idle only counts while nothing is in flight. The allowed idle
            // time shrinks for anonymous callers while they crowd the server, so it is re-checked each second.
            do {
                var idleSince = Deadline.now
                while true {
                    let limit = server.idleTimeout(known: isKnown)
                    let idle = Double(Deadline.now &- idleSince) / 1e9
                    if idle >= limit {
                        if flight.withLock({ $0.inFlight }) == 0 { break readLoop }
                        idleSince = Deadline.now
                        continue
                    }
                    if try socket.waitReadable(timeoutSeconds: min(1, limit - idle)) { break }
                }
            } catch { break }
            let result: Framing.ReadResult
            do {
                result = try Framing.read(from: socket, maxFrameBytes: config.maxFrameBytes, idleSeconds: -1,
                                          readSeconds: config.readTimeoutSeconds, frameSeconds: config.frameTimeoutSeconds,
                                          budget: isKnown ? nil : server.frameBudget)
            } catch {
                switch error {
                case .oversized(let n):
                    reply(id: 0, method: "", code: .resourceExhausted,
                          message: "frame of \(n) bytes exceeds the \(config.maxFrameBytes)-byte limit; closing the connection")
                case .socket(let e) where e.errno == ENOBUFS:
                    reply(id: 0, method: "", code: .resourceExhausted,
                          message: "the server is receiving too many large frames from anonymous callers; closing the connection, try again shortly")
                case .socket(let e) where e.errno == ETIMEDOUT:
                    reply(id: 0, method: "", code: .deadlineExceeded,
                          message: "the frame did not arrive within \(config.frameTimeoutSeconds) s (\(config.readTimeoutSeconds) s between chunks); closing the connection")
                default: break
                }
                break
            }
            switch result {
            case .endOfStream:
                break readLoop
            case .malformed(let why):
                reply(id: 0, method: "", code: .invalidArgument, message: "frame is not a spotfinder.v1.Envelope: \(why)")
            case .envelope(let envelope):
                dispatch(envelope)
            }
        }
        // The peer is gone (or sent garbage): nobody will read the answers of its calls, so their work
        // stops. A draining server lets them finish instead.
        let (closeNow, orphans) = flight.withLock { f -> (Bool, [CancellationFlag]) in
            f.readerDone = true
            return (f.inFlight == 0, server.isDraining ? [] : Array(f.calls.values))
        }
        for flag in orphans { flag.cancel(reason: "the caller closed its connection") }
        if closeNow { close() }
    }

    /// The first frame of a connection over the anonymous limit: a hello with the token, or it is refused.
    private func awaitHello() -> Bool {
        let config = server.config
        guard let token = config.token, !token.isEmpty,
              case .envelope(let e)? = try? Framing.read(from: socket, maxFrameBytes: 4096, idleSeconds: config.helloTimeoutSeconds,
                                                         readSeconds: config.helloTimeoutSeconds),
              e.kind == .request, e.method == RPCServer.hello else { return false }
        return sayHello(e, token: token)
    }

    /// Answer a hello: a known client from now on if it carries the token.
    private func sayHello(_ request: Envelope, token: String) -> Bool {
        guard !token.isEmpty, constantTimeEqual(Array(request.payload), Array(token.utf8)) else {
            reply(id: request.requestId, method: request.method, code: .unauthenticated, message: "hello refused: wrong or missing token")
            return false
        }
        if !known.exchange(true, ordering: .acquiringAndReleasing) { server.connectionBecameKnown(peerHost) }
        send(Envelope(kind: .response, method: request.method, requestId: request.requestId))
        return true
    }

    private func dispatch(_ request: Envelope) {
        let config = server.config
        if request.method == RPCServer.hello && request.kind == .request {
            _ = sayHello(request, token: config.token ?? "")
            return
        }
        guard request.kind == .request else {
            reply(id: request.requestId, method: request.method, code: .invalidArgument, message: "expected a request frame")
            return
        }
        if request.method == RPCServer.cancel {
            flight.withLock { $0.calls[request.requestId] }?.cancel(reason: "the caller cancelled the call")
            return
        }
        let policy = server.policy(for: request.method)
        if request.timeoutMs == 0 && policy.anonymousNeedsDeadline && !isKnown {
            let cap = policy.maxDeadlineSeconds.map { " (at most \(Int($0 * 1000)) ms)" } ?? ""
            reply(id: request.requestId, method: request.method, code: .invalidArgument,
                  message: "timeout_ms = 0: \(request.method) needs a deadline from callers without the deployment token; set timeout_ms\(cap)")
            return
        }
        var deadline = Deadline.fromWire(timeoutMs: request.timeoutMs)
        if let cap = policy.maxDeadlineSeconds { deadline = min(deadline, Deadline.after(seconds: cap)) }
        if let inline = server.inlineHandler(for: request.method) {
            let context = RPCContext(method: request.method, deadline: deadline, peerHost: peerHost, isKnownClient: isKnown,
                                     workClass: policy.workClass)
            switch inline(request.payload, context) {
            case .success(let payload):
                send(Envelope(kind: .response, method: request.method, requestId: request.requestId, payload: payload))
            case .failure(let error):
                reply(id: request.requestId, method: request.method, code: error.code, message: error.message)
            }
            return
        }
        guard let handler = server.handler(for: request.method) else {
            reply(id: request.requestId, method: request.method, code: .unimplemented,
                  message: "no method \(request.method.isEmpty ? "(empty)" : request.method) on this server")
            return
        }
        let limit = isKnown ? config.maxInFlightPerConnection : config.maxInFlightPerAnonymousConnection
        let cancellation = CancellationFlag()
        let admitted = flight.withLock { f -> Bool in
            guard f.inFlight < limit else { return false }
            f.inFlight += 1
            f.calls[request.requestId] = cancellation
            return true
        }
        guard admitted else {
            reply(id: request.requestId, method: request.method, code: .resourceExhausted,
                  message: "more than \(limit) calls in flight on one connection")
            return
        }
        let context = RPCContext(method: request.method, deadline: deadline, peerHost: peerHost, isKnownClient: isKnown,
                                 workClass: policy.workClass, cancellation: cancellation)
        let answered = OnceFlag()
        let timer = TimerSlot()
        let work = Task { [self] in
            let response: Envelope
            switch await handler(request.payload, context) {
            case .success(let payload):
                response = Envelope(kind: .response, method: request.method, requestId: request.requestId, payload: payload)
            case .failure(let error):
                response = Envelope(kind: .response, method: request.method, requestId: request.requestId,
                                    statusCode: error.code.rawValue, statusMessage: error.message)
            }
            if answered.claim() {
                if let token = timer.token { DeadlineTimers.shared.cancel(token) }
                send(response)
            }
            finished(request.requestId, cancellation)
        }
        // A cancelled call also cancels its task (handlers awaiting other services stop at once).
        cancellation.onCancel { work.cancel() }
        if !deadline.isNone {
            timer.token = DeadlineTimers.shared.schedule(at: deadline) { [self] in
                if answered.claim() {
                    cancellation.cancel(reason: "the deadline passed")
                    reply(id: request.requestId, method: request.method, code: .deadlineExceeded,
                          message: "\(request.method) did not finish within its deadline (the caller's \(request.timeoutMs) ms\(policy.maxDeadlineSeconds.map { ", at most \(Int($0)) s for this method" } ?? ""))")
                }
            }
        }
    }

    private func finished(_ requestId: UInt64, _ cancellation: CancellationFlag) {
        let closeNow = flight.withLock { f -> Bool in
            if f.calls[requestId] === cancellation { f.calls[requestId] = nil }
            f.inFlight -= 1
            return f.inFlight == 0 && f.readerDone
        }
        if closeNow { close() }
    }

    private func reply(id: UInt64, method: String, code: StatusCode, message: String) {
        send(Envelope(kind: .response, method: method, requestId: id, statusCode: code.rawValue, statusMessage: message))
    }

    private func send(_ envelope: Envelope) {
        var envelope = envelope
        var frame: [UInt8]
        do { frame = try Framing.encode(envelope, maxFrameBytes: server.config.maxFrameBytes) } catch {
            envelope.payload = Data()
            envelope.statusCode = error.code.rawValue
            envelope.statusMessage = error.message
            guard let small = try? Framing.encode(envelope, maxFrameBytes: server.config.maxFrameBytes) else { return }
            frame = small
        }
        sendLock.withLock { _ in
            do { try socket.writeAll(frame) } catch {
                // The peer is gone or not reading: stop serving it.
                socket.shutdown()
            }
        }
    }

    func stopReading() { socket.shutdownRead() }

    var callsInFlight: Int { flight.withLock { $0.inFlight } }

    func forceClose() { socket.shutdown() }

    private func close() {
        let first = flight.withLock { f -> Bool in
            defer { f.closed = true }
            return !f.closed
        }
        guard first else { return }
        socket.close()
        server.connectionClosed(id)
    }
}

/// True for exactly one caller of `claim()`: whoever answers a call first.
final class OnceFlag: Sendable {
    private let flag = Atomic(false)
    func claim() -> Bool { !flag.exchange(true, ordering: .acquiringAndReleasing) }
}

/// Where a call's deadline timer token is kept once armed.
final class TimerSlot: Sendable {
    private let value = Mutex<UInt64?>(nil)
    var token: UInt64? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Whether a presented token is the deployment's, compared without leaking where they differ through timing.
public func tokenMatches(_ given: String, _ expected: String) -> Bool {
    constantTimeEqual(Array(given.utf8), Array(expected.utf8))
}

/// Compare secrets without leaking where they differ through timing.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in a.indices { diff |= a[i] ^ b[i] }
    return diff == 0
}
