import Foundation
import HTTPServer

/// Answers `/echo` with the method, path, query, a header and the body; `/health` immediately.
struct EchoHandler: HTTPHandler {
    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.path == "/big" { return HTTPResponse(statusCode: .ok, body: Data(repeating: 7, count: 3 << 20)) }
        let text = "\(request.method) \(request.path) ?\(request.query) x=\(request.headers["X-Test"] ?? "-") body=\(request.body.count)"
        return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"], body: Data(text.utf8))
    }

    func immediateResponse(to request: HTTPRequest) -> HTTPResponse? {
        request.path == "/health" ? HTTPResponse(statusCode: .ok, body: Data("ok".utf8)) : nil
    }
}
