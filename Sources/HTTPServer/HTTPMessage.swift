import Foundation

/// A request method (token); the common ones are named.
public struct HTTPMethod: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let GET = HTTPMethod("GET")
    public static let HEAD = HTTPMethod("HEAD")
    public static let POST = HTTPMethod("POST")
    public static let PUT = HTTPMethod("PUT")
    public static let DELETE = HTTPMethod("DELETE")
    public static let OPTIONS = HTTPMethod("OPTIONS")
}

/// A status code with its reason phrase.
public struct HTTPStatusCode: Hashable, Sendable, CustomStringConvertible {
    public let code: Int
    public let phrase: String
    public init(_ code: Int, phrase: String) { self.code = code; self.phrase = phrase }
    public var description: String { "\(code) \(phrase)" }

    public static let `continue` = HTTPStatusCode(100, phrase: "Continue")
    public static let ok = HTTPStatusCode(200, phrase: "OK")
    public static let noContent = HTTPStatusCode(204, phrase: "No Content")
    public static let badRequest = HTTPStatusCode(400, phrase: "Bad Request")
    public static let unauthorized = HTTPStatusCode(401, phrase: "Unauthorized")
    public static let forbidden = HTTPStatusCode(403, phrase: "Forbidden")
    public static let notFound = HTTPStatusCode(404, phrase: "Not Found")
    public static let methodNotAllowed = HTTPStatusCode(405, phrase: "Method Not Allowed")
    public static let requestTimeout = HTTPStatusCode(408, phrase: "Request Timeout")
    public static let conflict = HTTPStatusCode(409, phrase: "Conflict")
    public static let lengthRequired = HTTPStatusCode(411, phrase: "Length Required")
    public static let payloadTooLarge = HTTPStatusCode(413, phrase: "Content Too Large")
    public static let uriTooLong = HTTPStatusCode(414, phrase: "URI Too Long")
    public static let unsupportedMediaType = HTTPStatusCode(415, phrase: "Unsupported Media Type")
    public static let expectationFailed = HTTPStatusCode(417, phrase: "Expectation Failed")
    public static let unprocessableContent = HTTPStatusCode(422, phrase: "Unprocessable Content")
    public static let tooManyRequests = HTTPStatusCode(429, phrase: "Too Many Requests")
    public static let requestHeaderFieldsTooLarge = HTTPStatusCode(431, phrase: "Request Header Fields Too Large")
    public static let internalServerError = HTTPStatusCode(500, phrase: "Internal Server Error")
    public static let notImplemented = HTTPStatusCode(501, phrase: "Not Implemented")
    public static let badGateway = HTTPStatusCode(502, phrase: "Bad Gateway")
    public static let serviceUnavailable = HTTPStatusCode(503, phrase: "Service Unavailable")
    public static let gatewayTimeout = HTTPStatusCode(504, phrase: "Gateway Timeout")
    public static let httpVersionNotSupported = HTTPStatusCode(505, phrase: "HTTP Version Not Supported")
}

/// A header name; compared without regard to case, written as given.
public struct HTTPHeader: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let name: String
    private let key: String
    public init(_ name: String) { self.name = name; key = name.lowercased() }
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { name }
    public static func == (a: HTTPHeader, b: HTTPHeader) -> Bool { a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key) }

    public static let contentType = HTTPHeader("Content-Type")
    public static let contentLength = HTTPHeader("Content-Length")
    public static let contentDisposition = HTTPHeader("Content-Disposition")
    public static let connection = HTTPHeader("Connection")
    public static let transferEncoding = HTTPHeader("Transfer-Encoding")
    public static let expect = HTTPHeader("Expect")
    public static let host = HTTPHeader("Host")
    public static let authorization = HTTPHeader("Authorization")
    public static let retryAfter = HTTPHeader("Retry-After")
    public static let cacheControl = HTTPHeader("Cache-Control")
    public static let allow = HTTPHeader("Allow")
}

/// One parsed request: the head as sent (path percent-decoded, query raw) and its whole body.
public struct HTTPRequest: Sendable {
    public let method: HTTPMethod
    /// The request target exactly as sent (origin form: path and query).
    public let target: String
    /// The path, percent-decoded (`/api/spectrum`).
    public let path: String
    /// The query after `?`, still percent-encoded ("" when absent).
    public let query: String
    /// "HTTP/1.1" or "HTTP/1.0".
    public let version: String
    /// Headers by name; repeated headers are joined with ", ".
    public let headers: [HTTPHeader: String]
    public let body: Data
    /// The client's numeric address ("127.0.0.1"; empty when unknown): whose budget batch work is counted in.
    public var peerHost = ""

    public init(method: HTTPMethod, target: String, path: String, query: String, version: String = "HTTP/1.1",
                headers: [HTTPHeader: String] = [:], body: Data = Data()) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The body (async for handlers written against stream-reading servers).
    public var bodyData: Data { get async throws { body } }
}

/// One response; `Content-Length` and `Connection` are added by the server.
public struct HTTPResponse: Sendable {
    public var statusCode: HTTPStatusCode
    public var headers: [HTTPHeader: String]
    public var body: Data

    public init(statusCode: HTTPStatusCode, headers: [HTTPHeader: String] = [:], body: Data = Data()) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    /// A small JSON error answer: `{"error": message}`.
    public static func error(_ status: HTTPStatusCode, _ message: String) -> HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.sortedKeys])) ?? Data()
        return HTTPResponse(statusCode: status, headers: [.contentType: "application/json"], body: body)
    }
}

/// What a server serves. `immediateResponse` runs on the connection's own thread before anything is
/// queued on the Swift concurrency pool: cheap answers (health) that must not wait behind compute.
public protocol HTTPHandler: Sendable {
    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse
    func immediateResponse(to request: HTTPRequest) -> HTTPResponse?
    /// Asked with the head alone (empty body) before a body is read or `100 Continue` is sent: an
    /// answer here (401 for an upload without the token) is sent instead and the body is never read,
    /// so an unauthorised client cannot make the server buffer anything.
    func refuseBody(of request: HTTPRequest) -> HTTPResponse?
}

extension HTTPHandler {
    public func immediateResponse(to request: HTTPRequest) -> HTTPResponse? { nil }
    public func refuseBody(of request: HTTPRequest) -> HTTPResponse? { nil }
}
