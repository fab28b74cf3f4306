import Foundation

/// Limits on a request head, enforced while bytes arrive (before any further work).
public struct HeadLimits: Sendable {
    public var maxRequestLineBytes = 8 << 10
    public var maxHeaderLineBytes = 8 << 10
    public var maxHeaderBytes = 64 << 10
    public var maxHeaderCount = 200
    public init() {}
}

/// A parsed request line and headers, before the body.
struct RequestHead: Sendable {
    var method: HTTPMethod
    var target: String
    var path: String
    var query: String
    var version: String
    var headers: [HTTPHeader: String]
    /// Header names in order of appearance with their values (for framing checks).
    var contentLengths: [String]
    var hasTransferEncoding: Bool
}

/// Why a request is refused before it reaches a handler: status and a sentence for the client.
struct RequestRefusal: Error, Sendable {
    let status: HTTPStatusCode
    let message: String
}

/// Incremental, linear-time scanner of a request head. Each byte is looked at once: the scan position
/// survives between reads, and a line longer than its limit is refused as soon as the limit is passed.
struct HeadScanner {
    let limits: HeadLimits
    private var scanned = 0           // bytes of the buffer already scanned
    private var lineStart = 0
    private var lines: [Range<Int>] = []   // request line then header lines, without CR LF
    private var headerBytes = 0

    init(limits: HeadLimits) { self.limits = limits }

    enum Outcome {
        case needMore
        /// The head ends at `end` (index after its blank line).
        case complete(RequestHead, end: Int)
    }

    /// Continue scanning `buffer` (which only ever grows between calls until `complete`).
    mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>) throws(RequestRefusal) -> Outcome {
        while scanned < buffer.count {
            let b = buffer[scanned]
            scanned += 1
            guard b == 0x0A else { continue }
            var end = scanned - 1
            if end > lineStart && buffer[end - 1] == 0x0D { end -= 1 }
            let line = lineStart..<end
            lineStart = scanned
            if lines.isEmpty {
                // Empty lines before the request line are tolerated (RFC 9112 §2.2), a few of them.
                if line.isEmpty {
                    if scanned > 16 { throw RequestRefusal(status: .badRequest, message: "the request has no request line") }
                    continue
                }
                try checkLength(line.count, isRequestLine: true)
                lines.append(line)
                continue
            }
            if line.isEmpty {
                return .complete(try Self.parse(buffer, lines: lines), end: scanned)
            }
            try checkLength(line.count, isRequestLine: false)
            headerBytes += line.count + 2
            if headerBytes > limits.maxHeaderBytes {
                throw RequestRefusal(status: .requestHeaderFieldsTooLarge,
                                     message: "the request's headers exceed \(limits.maxHeaderBytes) bytes")
            }
            if lines.count > limits.maxHeaderCount {
                throw RequestRefusal(status: .requestHeaderFieldsTooLarge,
                                     message: "the request has more than \(limits.maxHeaderCount) headers")
            }
            lines.append(line)
        }
        // No line end yet: refuse an over-long line without waiting for the rest of it.
        try checkLength(scanned - lineStart, isRequestLine: lines.isEmpty)
        if headerBytes + (scanned - lineStart) > limits.maxHeaderBytes + limits.maxRequestLineBytes {
            throw RequestRefusal(status: .requestHeaderFieldsTooLarge, message: "the request's headers exceed \(limits.maxHeaderBytes) bytes")
        }
        return .needMore
    }

    private func checkLength(_ n: Int, isRequestLine: Bool) throws(RequestRefusal) {
        if isRequestLine, n > limits.maxRequestLineBytes {
            throw RequestRefusal(status: .uriTooLong,
                                 message: "the request line exceeds \(limits.maxRequestLineBytes) bytes: shorten the URL")
        }
        if !isRequestLine, n > limits.maxHeaderLineBytes {
            throw RequestRefusal(status: .requestHeaderFieldsTooLarge, message: "a header exceeds \(limits.maxHeaderLineBytes) bytes")
        }
    }

    // MARK: parsing the complete head (each line once)

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    private static func bad(_ message: String) -> RequestRefusal { RequestRefusal(status: .badRequest, message: message) }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, lines: [Range<Int>]) throws(RequestRefusal) -> RequestHead {
        // request-line = method SP request-target SP HTTP-version
        let first = buffer[lines[0]]
        let parts = first.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw bad("malformed request line: expected 'METHOD /path HTTP/1.1'")
        }
        guard parts[0].allSatisfy(isTokenByte) else { throw bad("malformed request method") }
        let method = HTTPMethod(String(decoding: parts[0], as: UTF8.self))
        let versionBytes = Array(parts[2])
        let version = String(decoding: versionBytes, as: UTF8.self)
        guard version.hasPrefix("HTTP/"), versionBytes.count == 8, versionBytes[6] == UInt8(ascii: "."),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(versionBytes[5]),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(versionBytes[7]) else {
            throw bad("malformed HTTP version")
        }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw RequestRefusal(status: .httpVersionNotSupported, message: "only HTTP/1.1 and HTTP/1.0 are served")
        }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw bad("the request target holds bytes that must be percent-encoded") }
        var target = String(decoding: parts[1], as: UTF8.self)
        // Absolute form (proxies): keep the path and query.
        if !target.hasPrefix("/") {
            if let scheme = target.range(of: "://"), target.lowercased().hasPrefix("http") {
                let rest = target[scheme.upperBound...]
                target = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[$0...].hasPrefix("?") ? "/" + rest[$0...] : String(rest[$0...]) } ?? "/"
            } else if target == "*" && method == .OPTIONS {
                target = "*"
            } else {
                throw bad("the request target must start with '/'")
            }
        }
        let withoutFragment = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let pieces = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let path = String(pieces[0]).removingPercentEncoding else {
            throw bad("the request path has a malformed percent-escape or is not UTF-8")
        }
        let query = pieces.count > 1 ? String(pieces[1]) : ""

        var headers: [HTTPHeader: String] = [:]
        var contentLengths: [String] = []
        var transferEncoding = false
        for range in lines.dropFirst() {
            let line = buffer[range]
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw bad("malformed header line (no ':')") }
            let nameBytes = buffer[range.lowerBound..<colon]
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(isTokenByte) else {
                // Also refuses obsolete line folding (a line starting with white space) and "Name :".
                throw bad("malformed header name")
            }
            var lo = colon + 1, hi = range.upperBound
            while lo < hi, buffer[lo] == 0x20 || buffer[lo] == 0x09 { lo += 1 }
            while hi > lo, buffer[hi - 1] == 0x20 || buffer[hi - 1] == 0x09 { hi -= 1 }
            let valueBytes = buffer[lo..<hi]
            guard valueBytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
                throw bad("a header value holds control characters")
            }
            let name = HTTPHeader(String(decoding: nameBytes, as: UTF8.self))
            let value = String(decoding: valueBytes, as: UTF8.self)
            if name == .contentLength { contentLengths.append(value) }
            if name == .transferEncoding { transferEncoding = true }
            if let old = headers[name] { headers[name] = old + ", " + value } else { headers[name] = value }
        }
        return RequestHead(method: method, target: target, path: path, query: query, version: version, headers: headers,
                           contentLengths: contentLengths, hasTransferEncoding: transferEncoding)
    }
}

extension RequestHead {
    /// The declared body length; refuses conflicting or malformed Content-Length and any Transfer-Encoding.
    func bodyLength() throws(RequestRefusal) -> Int {
        if hasTransferEncoding {
            throw RequestRefusal(status: .lengthRequired, message: "Transfer-Encoding is not accepted: send the body with a Content-Length")
        }
        var length: Int?
        for raw in contentLengths {
            for item in raw.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = item.trimmingCharacters(in: .whitespaces)
                guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int(digits) else {
                    throw RequestRefusal(status: .badRequest, message: "malformed Content-Length")
                }
                if let length, length != n { throw RequestRefusal(status: .badRequest, message: "conflicting Content-Length headers") }
                length = n
            }
        }
        return length ?? 0
    }

    /// Whether the client wants the connection kept after this exchange.
    var keepAlive: Bool {
        let tokens = (headers[.connection] ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if tokens.contains("close") { return false }
        return version == "HTTP/1.1" || tokens.contains("keep-alive")
    }
}
