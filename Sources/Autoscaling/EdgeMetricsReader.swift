import Foundation
import RPC

/// GET /metrics from the edge's HTTP port with the deployment token, over a plain socket
/// (one request per look, `Connection: close`; the edge frames bodies by Content-Length).
public struct EdgeMetricsReader: Sendable {
    public let host: String
    public let port: UInt16
    let token: String
    public let timeoutSeconds: Double
    /// Larger than any edge's metrics page (a few KB, one line per node): a bound, not an expectation.
    static let maxBytes = 4 << 20

    public init(host: String, port: UInt16, token: String, timeoutSeconds: Double = 5) {
        self.host = host
        self.port = port
        self.token = token
        self.timeoutSeconds = timeoutSeconds
    }

    public func snapshot() async throws(ScalingError) -> MetricsSnapshot {
        try MetricsSnapshot(prometheusText: try await text())
    }

    /// The page's text; a sentence naming the edge and what failed.
    public func text() async throws(ScalingError) -> String {
        let (host, port, token, timeout) = (host, port, token, timeoutSeconds)
        return try await offPool { () -> Result<String, ScalingError> in
            do throws(SocketError) {
                let socket = try Socket.connect(host: host, port: port, timeoutSeconds: timeout)
                defer { socket.close() }
                socket.setSendTimeout(seconds: timeout)
                try socket.writeAll(Array("GET /metrics HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n".utf8))
                var head: [UInt8] = []
                while !head.ends(with: [13, 10, 13, 10]) {
                    guard head.count < 16 << 10, let byte = try socket.readExactly(count: 1, timeoutSeconds: timeout) else {
                        return .failure(ScalingError("the edge at \(host):\(port) closed the connection before answering GET /metrics"))
                    }
                    head += byte
                }
                return Self.body(head: String(decoding: head, as: UTF8.self), host: host, port: port) { length throws(SocketError) in
                    try socket.readExactly(count: length, timeoutSeconds: timeout) ?? []
                }
            } catch {
                return .failure(ScalingError("GET http://\(host):\(port)/metrics: \(error)"))
            }
        }.get()
    }

    /// Check the status line, then read the body its Content-Length announces.
    static func body(head: String, host: String, port: UInt16, read: (Int) throws(SocketError) -> [UInt8]) -> Result<String, ScalingError> {
        let lines = head.split(separator: "\r\n")
        let status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        guard let length, (0...maxBytes).contains(length) else {
            return .failure(ScalingError("the edge at \(host):\(port) answered GET /metrics without a usable Content-Length (at most \(maxBytes) bytes)"))
        }
        let text: String
        do throws(SocketError) { text = String(decoding: try read(length), as: UTF8.self) } catch {
            return .failure(ScalingError("GET http://\(host):\(port)/metrics: \(error)"))
        }
        switch status {
        case 200: return .success(text)
        case 401, 403:
            return .failure(ScalingError("the edge at \(host):\(port) refused GET /metrics (\(status)): give the scaler the deployment token (SPOTFINDER_TOKEN or --token-file)"))
        default:
            return .failure(ScalingError("the edge at \(host):\(port) answered GET /metrics with status \(status): \(text.prefix(200))"))
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
