import Foundation
import Synchronization
import Wire

public struct RPCClientConfig: Sendable {
    public var connectTimeoutSeconds = 2.0
    public var maxFrameBytes = Framing.defaultMaxFrameBytes
    /// Extra attempts for idempotent calls that met UNAVAILABLE (peer down, connection lost), waiting
    /// 50 ms, then twice as long each time (3 s in all for 6): enough for a supervisor to restart the peer,
    /// always within the call's deadline.
    public var idempotentRetries = 6
    public var sendTimeoutSeconds = 30.0
    /// The deployment token: each new connection first says hello with it, so internal servers
    /// count this client as known (reserved connections, normal idle timeout). Nil for lab tools.
    public var token: String?
    public init(token: String? = nil) { self.token = token }
}

/// A client for one server address: one reused connection carrying many calls
/// at once (matched by request id), connect and call timeouts, deadline
/// propagation, and retries only for calls declared idempotent.
public final class RPCClient: Sendable {
    public let host: String
    public let port: UInt16
    public let config: RPCClientConfig
    private struct State { var connection: ClientConnection?; var closed = false }
    private let state = Mutex(State())
    private let nextRequestId = Atomic<UInt64>(0)

    public init(host: String, port: UInt16, config: RPCClientConfig = RPCClientConfig()) {
        self.host = host
        self.port = port
        self.config = config
    }

    /// "host:port".
    public convenience init(address: String, config: RPCClientConfig = RPCClientConfig()) throws(RPCError) {
        guard let (host, port) = Self.split(address) else {
            throw RPCError(.invalidArgument, "address '\(address)' is not host:port")
        }
        self.init(host: host, port: port, config: config)
    }

    public static func split(_ address: String) -> (String, UInt16)? {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    public var address: String { "\(host):\(port)" }

    /// Call a unary method. The deadline travels to the server (and on from there).
    public func call<Request: WireMessage, Response: WireMessage>(
        _ method: String, _ request: Request, as _: Response.Type = Response.self,
        deadline: Deadline = .after(seconds: 30), idempotent: Bool = false
    ) async throws(RPCError) -> Response {
        let payload: Data
        do { payload = Data(try request.serializedBytes()) } catch {
            throw RPCError(.invalidArgument, "cannot encode \(Request.protoName): \(error.message)")
        }
        let envelope = try await callRaw(method, payload: payload, deadline: deadline, idempotent: idempotent)
        do { return try Response(serializedBytes: envelope.payload) } catch {
            throw RPCError(.internalError, "\(address) answered \(method) with a malformed \(Response.protoName): \(error.message)")
        }
    }

    /// Call with raw payload bytes; the response envelope has status OK.
    public func callRaw(_ method: String, payload: Data, deadline: Deadline, idempotent: Bool) async throws(RPCError) -> Envelope {
        var attempt = 0
        while true {
            do {
                return try await attemptCall(method, payload: payload, deadline: deadline)
            } catch where error.code == .unavailable && idempotent && attempt < config.idempotentRetries && !deadline.hasPassed && !Task.isCancelled {
                let pause = min(0.05 * Double(1 << min(attempt, 10)), max(0, deadline.remainingSeconds - 0.05))
                attempt += 1
                try? await Task.sleep(nanoseconds: UInt64(pause * 1e9))
            }
        }
    }

    private func attemptCall(_ method: String, payload: Data, deadline: Deadline) async throws(RPCError) -> Envelope {
        guard !deadline.hasPassed else {
            throw RPCError(.deadlineExceeded, "deadline passed before \(method) was sent to \(address)")
        }
        guard !Task.isCancelled else { throw RPCError(.cancelled, "the call of \(method) to \(address) was cancelled") }
        let connection = try await connection(deadline: deadline)
        let id = nextRequestId.add(1, ordering: .relaxed).newValue
        let frame = try Framing.encode(Envelope(kind: .request, method: method, requestId: id, timeoutMs: deadline.wireTimeoutMs,
                                                payload: payload), maxFrameBytes: config.maxFrameBytes)
        let response = try await connection.exchange(id: id, frame: frame, deadline: deadline, method: method)
        guard response.statusCode == 0 else {
            throw RPCError(StatusCode(rawValue: response.statusCode) ?? .unknown, response.statusMessage)
        }
        return response
    }

    private func connection(deadline: Deadline) async throws(RPCError) -> ClientConnection {
        if let c = state.withLock({ $0.connection }), c.isAlive { return c }
        guard !state.withLock({ $0.closed }) else { throw RPCError(.unavailable, "client for \(address) is closed") }
        let timeout = min(config.connectTimeoutSeconds, max(0.001, deadline.remainingSeconds))
        let (host, port, token) = (host, port, config.token)
        let connected: Result<Socket, SocketError> = await offPool {
            do throws(SocketError) {
                let socket = try Socket.connect(host: host, port: port, timeoutSeconds: timeout)
                if let token, !token.isEmpty { try Self.sayHello(on: socket, token: token, timeoutSeconds: timeout) }
                return .success(socket)
            } catch {
                return .failure(error)
            }
        }
        let socket: Socket
        switch connected {
        case .success(let s): socket = s
        case .failure(let error): throw RPCError(.unavailable, "cannot reach \(address): \(error)")
        }
        socket.setSendTimeout(seconds: config.sendTimeoutSeconds)
        let fresh = ClientConnection(socket: socket, maxFrameBytes: config.maxFrameBytes, address: address)
        return state.withLock { s in
            if let existing = s.connection, existing.isAlive {
                fresh.close()
                return existing
            }
            s.connection = fresh
            fresh.start()
            return fresh
        }
    }

    /// Present the token before any call (the answer is read here, before the reader thread starts).
    /// A server without a token refuses the hello; the connection then serves as an anonymous one.
    private static func sayHello(on socket: Socket, token: String, timeoutSeconds: Double) throws(SocketError) {
        let hello = Envelope(kind: .request, method: RPCServer.hello, requestId: 0, payload: Data(token.utf8))
        guard let frame = try? Framing.encode(hello, maxFrameBytes: 4096) else { return }
        try socket.writeAll(frame)
        do {
            let reply = try Framing.read(from: socket, maxFrameBytes: 4096, idleSeconds: timeoutSeconds, readSeconds: timeoutSeconds)
            if case .envelope(let e) = reply, e.statusCode == StatusCode.resourceExhausted.rawValue {
                throw SocketError(operation: "hello (the server is full: \(e.statusMessage))", errno: ECONNREFUSED)
            }
            if case .endOfStream = reply { throw SocketError(operation: "hello (the server closed the connection)", errno: ECONNRESET) }
        } catch let e as SocketError {
            throw e
        } catch let error as Framing.FramingError {
            if case .socket(let e) = error { throw e }
            throw SocketError(operation: "hello", errno: EPROTO)
        } catch {
            throw SocketError(operation: "hello", errno: EPROTO)
        }
    }

    /// Close the connection; later calls fail with UNAVAILABLE.
    public func close() {
        let c = state.withLock { s -> ClientConnection? in
            s.closed = true
            defer { s.connection = nil }
            return s.connection
        }
        c?.close()
    }
}

/// One TCP connection of a client: a reader thread resolves waiting calls by request id.
final class ClientConnection: Sendable {
    private let socket: Socket
    private let maxFrameBytes: Int
    private let address: String
    private struct State { var pending: [UInt64: CheckedContinuation<Envelope, any Error>] = [:]; var dead: RPCError? }
    private let state = Mutex(State())
    private let sendLock = Mutex(())

    init(socket: Socket, maxFrameBytes: Int, address: String) {
        self.socket = socket
        self.maxFrameBytes = maxFrameBytes
        self.address = address
    }

    var isAlive: Bool { state.withLock { $0.dead == nil } }

    func start() {
        let t = Thread { [self] in readLoop() }
        t.name = "rpc-client-\(address)"
        t.stackSize = 256 << 10
        t.start()
    }

    private func readLoop() {
        var reason = RPCError(.unavailable, "connection to \(address) closed")
        while true {
            do {
                // Waiting for the next answer has no limit here (each call has its own deadline timer);
                // only a frame that has started must keep coming.
                switch try Framing.read(from: socket, maxFrameBytes: maxFrameBytes, idleSeconds: .infinity, readSeconds: 30) {
                case .envelope(let e): resolve(e.requestId, with: .success(e))
                case .endOfStream: fail(reason); return
                case .malformed(let why): reason = RPCError(.internalError, "\(address) sent a malformed frame: \(why)"); fail(reason); return
                }
            } catch {
                if case .oversized(let n) = error {
                    reason = RPCError(.resourceExhausted, "\(address) sent a frame of \(n) bytes, over the \(maxFrameBytes)-byte limit")
                } else if case .socket(let e) = error {
                    reason = RPCError(.unavailable, "connection to \(address) lost: \(e)")
                }
                fail(reason)
                return
            }
        }
    }

    func exchange(id: UInt64, frame: [UInt8], deadline: Deadline, method: String) async throws(RPCError) -> Envelope {
        let timer: UInt64? = deadline.isNone ? nil : DeadlineTimers.shared.schedule(at: deadline) { [self] in
            if resolve(id, with: .failure(RPCError(.deadlineExceeded, "\(address) did not answer \(method) before the deadline"))) {
                sendCancel(id)
            }
        }
        defer { if let timer { DeadlineTimers.shared.cancel(timer) } }
        let cancelled = RPCError(.cancelled, "the call of \(method) to \(address) was cancelled")
        do {
            // A cancelled caller stops waiting at once (the answer, if it comes, is dropped).
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Envelope, any Error>) in
                    let dead = state.withLock { s -> RPCError? in
                        if let d = s.dead { return d }
                        s.pending[id] = continuation
                        return nil
                    }
                    if let dead { continuation.resume(throwing: dead); return }
                    if Task.isCancelled { resolve(id, with: .failure(cancelled)); return }
                    sendLock.withLock { _ in
                        do { try socket.writeAll(frame) } catch {
                            socket.shutdown()
                            resolve(id, with: .failure(RPCError(.unavailable, "cannot send to \(address): \(error)")))
                        }
                    }
                }
            } onCancel: {
                // Nobody waits any more: the server is told, so the work stops there (and on every hop after it).
                if resolve(id, with: .failure(cancelled)) { sendCancel(id) }
            }
        } catch let e as RPCError {
            throw e
        } catch {
            throw RPCError(.internalError, "\(error)")
        }
    }

    /// Hand the call its outcome; false when it already had one.
    @discardableResult
    private func resolve(_ id: UInt64, with result: Result<Envelope, RPCError>) -> Bool {
        guard let c = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return false }
        switch result {
        case .success(let e): c.resume(returning: e)
        case .failure(let e): c.resume(throwing: e)
        }
        return true
    }

    /// Tell the server that nobody waits for call `id` (RPCServer.cancel; no answer comes). Sent from a
    /// Dispatch thread: the canceller never blocks on a full socket.
    private func sendCancel(_ id: UInt64) {
        guard isAlive, let frame = try? Framing.encode(Envelope(kind: .request, method: RPCServer.cancel, requestId: id),
                                                         maxFrameBytes: maxFrameBytes) else { return }
        DispatchQueue.global().async { [self] in
            sendLock.withLock { _ in
                do { try socket.writeAll(frame) } catch { socket.shutdown() }
            }
        }
    }

    private func fail(_ error: RPCError) {
        let waiting = state.withLock { s -> [CheckedContinuation<Envelope, any Error>] in
            if s.dead == nil { s.dead = error }
            defer { s.pending.removeAll() }
            return Array(s.pending.values)
        }
        for c in waiting { c.resume(throwing: error) }
        socket.close()
    }

    func close() {
        socket.shutdown()
        state.withLock { s in if s.dead == nil { s.dead = RPCError(.unavailable, "connection to \(address) closed") } }
    }
}
