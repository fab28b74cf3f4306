import Foundation
import Scheduling
import Wire

/// How a server treats calls of one method: their class of work, the longest deadline a caller may
/// ask for, and whether an anonymous caller may ask for none. A batch method opts in with
/// `.batch(maxSeconds:)`; everything else is interactive.
public struct MethodPolicy: Sendable, Equatable {
    public var workClass: WorkClass
    /// A caller's deadline is cut to this many seconds from when the call arrives (nil: as given).
    public var maxDeadlineSeconds: Double?
    /// Refuse `timeout_ms = 0` ("no deadline") from callers that did not present the token.
    public var anonymousNeedsDeadline: Bool

    public init(workClass: WorkClass, maxDeadlineSeconds: Double?, anonymousNeedsDeadline: Bool) {
        self.workClass = workClass
        self.maxDeadlineSeconds = maxDeadlineSeconds
        self.anonymousNeedsDeadline = anonymousNeedsDeadline
    }

    /// What methods registered without a policy get: interactive, deadlines as the caller sends them.
    public static let unrestricted = MethodPolicy(workClass: .interactive, maxDeadlineSeconds: nil, anonymousNeedsDeadline: false)

    /// Interactive work a user waits for: at most `maxSeconds` (default 30 s), a deadline required from anonymous callers.
    public static func interactive(maxSeconds: Double = 30) -> MethodPolicy {
        MethodPolicy(workClass: .interactive, maxDeadlineSeconds: maxSeconds, anonymousNeedsDeadline: true)
    }

    /// Heavy work nobody watches closely (maps, reductions, imports): at most `maxSeconds`
    /// (default 120 s), a deadline required from anonymous callers.
    public static func batch(maxSeconds: Double = 120) -> MethodPolicy {
        MethodPolicy(workClass: .batch, maxDeadlineSeconds: maxSeconds, anonymousNeedsDeadline: true)
    }
}

/// What a handler knows about its call.
public struct RPCContext: Sendable {
    public let method: String
    /// The caller's deadline, to pass on to every downstream call.
    public let deadline: Deadline
    /// The caller's numeric address, as the connection shows it ("127.0.0.1"); empty if unknown.
    public let peerHost: String
    /// Whether the caller proved it holds the deployment token (see `RPCServerConfig.token`).
    public let isKnownClient: Bool
    /// The method's class of work (its `MethodPolicy`).
    public let workClass: WorkClass
    /// Set when nobody waits for the answer any more: the caller cancelled the call or closed its
    /// connection, or the deadline passed. Long loops poll `shouldStop`.
    public let cancellation: CancellationFlag

    public init(method: String, deadline: Deadline, peerHost: String = "", isKnownClient: Bool = false,
                workClass: WorkClass = .interactive, cancellation: CancellationFlag = CancellationFlag()) {
        self.method = method
        self.deadline = deadline
        self.peerHost = peerHost
        self.isKnownClient = isKnownClient
        self.workClass = workClass
        self.cancellation = cancellation
    }

    /// True once the work should stop: cancelled, or past the deadline.
    public var shouldStop: Bool { cancellation.isCancelled || deadline.hasPassed }

    /// The caller, for admission budgets: the token holder, or the peer's address.
    public var client: ClientIdentity { ClientIdentity(key: peerHost.isEmpty ? "unknown" : peerHost, isKnown: isKnownClient) }
}

/// A method's implementation on raw payloads: response bytes or a status.
public typealias RPCHandler = @Sendable (_ payload: Data, _ context: RPCContext) async -> Result<Data, RPCError>

/// A method answered on the connection's own thread, never queued behind work on the concurrency pool.
public typealias RPCInlineHandler = @Sendable (_ payload: Data, _ context: RPCContext) -> Result<Data, RPCError>

/// The methods a server answers, by full name "/spotfinder.v1.Service/Method".
public struct RPCRoutes: Sendable {
    public private(set) var handlers: [String: RPCHandler] = [:]
    public private(set) var inlineHandlers: [String: RPCInlineHandler] = [:]
    public private(set) var policies: [String: MethodPolicy] = [:]

    /// The policy of `method` (`.unrestricted` unless one was set).
    public func policy(for method: String) -> MethodPolicy { policies[method] ?? .unrestricted }

    /// Set how calls of `method` are treated (class, deadline cap); see `MethodPolicy`.
    public mutating func setPolicy(_ policy: MethodPolicy, for method: String) {
        policies[method] = policy
    }

    /// Register a method on raw payload bytes (it decodes and encodes itself, e.g. off the concurrency pool).
    public mutating func raw(_ method: String, policy: MethodPolicy? = nil, _ handler: @escaping RPCHandler) {
        handlers[method] = handler
        if let policy { policies[method] = policy }
    }

    /// Register a short, non-blocking-in-spirit method (a heartbeat) that must answer even while every
    /// pool thread is computing: it runs synchronously on the connection's reader thread.
    public mutating func inline<Request: WireMessage, Response: WireMessage>(
        _ method: String, _ body: @escaping @Sendable (Request, RPCContext) throws(RPCError) -> Response
    ) {
        inlineHandlers[method] = { payload, context in
            let request: Request
            do throws(WireError) { request = try Request(serializedBytes: payload) } catch {
                return .failure(RPCError(.invalidArgument, "\(method): the payload is not a valid \(Request.protoName): \(error.message)"))
            }
            let response: Response
            do throws(RPCError) { response = try body(request, context) } catch { return .failure(error) }
            guard let bytes = try? response.serializedBytes() else {
                return .failure(RPCError(.internalError, "\(method): cannot encode \(Response.protoName)"))
            }
            return .success(Data(bytes))
        }
    }

    public init() {}

    /// Register a unary method on typed messages. Errors that are not `RPCError` become INTERNAL.
    public mutating func unary<Request: WireMessage, Response: WireMessage>(
        _ method: String, policy: MethodPolicy? = nil, _ body: @escaping @Sendable (Request, RPCContext) async throws -> Response
    ) {
        if let policy { policies[method] = policy }
        handlers[method] = { payload, context in
            let request: Request
            do throws(WireError) { request = try Request(serializedBytes: payload) } catch {
                return .failure(RPCError(.invalidArgument, "\(method): the payload is not a valid \(Request.protoName): \(error.message)"))
            }
            let response: Response
            do { response = try await body(request, context) } catch let e as RPCError {
                return .failure(e)
            } catch {
                return .failure(RPCError(.internalError, "\(method) failed: \(error)"))
            }
            guard let bytes = try? response.serializedBytes() else {
                return .failure(RPCError(.internalError, "\(method): cannot encode \(Response.protoName)"))
            }
            return .success(Data(bytes))
        }
    }
}
