import Foundation
import Wire

/// What a handler knows about its call.
public struct RPCContext: Sendable {
    public let method: String
    /// The caller's deadline, to pass on to every downstream call.
    public let deadline: Deadline
    /// The caller's numeric address, as the connection shows it ("127.0.0.1"); empty if unknown.
    public let peerHost: String
    /// Whether the caller proved it holds the deployment token (see `RPCServerConfig.token`).
    public let isKnownClient: Bool

    public init(method: String, deadline: Deadline, peerHost: String = "", isKnownClient: Bool = false) {
        self.method = method
        self.deadline = deadline
        self.peerHost = peerHost
        self.isKnownClient = isKnownClient
    }
}

/// A method's implementation on raw payloads: response bytes or a status.
public typealias RPCHandler = @Sendable (_ payload: Data, _ context: RPCContext) async -> Result<Data, RPCError>

/// A method answered on the connection's own thread, never queued behind work on the concurrency pool.
public typealias RPCInlineHandler = @Sendable (_ payload: Data, _ context: RPCContext) -> Result<Data, RPCError>

/// The methods a server answers, by full name "/spotfinder.v1.Service/Method".
public struct RPCRoutes: Sendable {
    public private(set) var handlers: [String: RPCHandler] = [:]
    public private(set) var inlineHandlers: [String: RPCInlineHandler] = [:]

    /// Register a method on raw payload bytes (it decodes and encodes itself, e.g. off the concurrency pool).
    public mutating func raw(_ method: String, _ handler: @escaping RPCHandler) {
        handlers[method] = handler
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
        _ method: String, _ body: @escaping @Sendable (Request, RPCContext) async throws -> Response
    ) {
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
