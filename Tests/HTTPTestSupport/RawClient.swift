import Foundation
import RPC
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP client on a real loopback socket: sends bytes as given, reads answers as they come
/// (the HTTP server's tests and the edge's HTTP fuzz test).
public final class RawClient {
    public let socket: Socket

    public init(port: UInt16) throws {
        socket = try Socket.connect(host: "127.0.0.1", port: port, timeoutSeconds: 5)
    }

    public func send(_ text: String) throws { try socket.writeAll(Array(text.utf8)) }
    public func send(_ bytes: [UInt8]) throws { try socket.writeAll(bytes) }

    /// Everything until the server closes (or `timeout` passes).
    public func readToEnd(timeout: Double = 10) -> [UInt8] {
        var out: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            guard (try? socket.waitReadable(timeoutSeconds: deadline.timeIntervalSinceNow)) == true else { break }
            let n = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// One response (status, headers, body), read by its Content-Length; nil if the connection closed first.
    public func readResponse(timeout: Double = 10, head isHead: Bool = false) -> (status: Int, headers: [String: String], body: [UInt8])? {
        var data: [UInt8] = pending
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            guard (try? socket.waitReadable(timeoutSeconds: max(0.001, deadline.timeIntervalSinceNow))) == true else { return false }
            let n = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            data += buffer[0..<n]
            return true
        }
        var headEnd: Int?
        while headEnd == nil {
            if let r = Self.find([13, 10, 13, 10], in: data) { headEnd = r; break }
            guard fill() else { return nil }
        }
        let headText = String(decoding: data[0..<headEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        let length = isHead || status == 100 ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        let start = headEnd! + 4
        while data.count < start + length { guard fill() else { return nil } }
        pending = Array(data[(start + length)...])
        return (status, headers, Array(data[start..<(start + length)]))
    }

    private var pending: [UInt8] = []

    public static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    /// True when the server has closed the connection (end of stream within `timeout`).
    public func isClosed(timeout: Double) -> Bool {
        guard (try? socket.waitReadable(timeoutSeconds: timeout)) == true else { return false }
        var b: UInt8 = 0
        return recv(socket.fd, &b, 1, Int32(MSG_PEEK)) <= 0
    }

    public func close() { socket.close() }
}
