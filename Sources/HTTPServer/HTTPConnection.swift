import Foundation
import RPC
import Synchronization

/// One client connection on its own thread: read a head within the header timeout, the body within
/// its limit, answer, repeat while kept alive. Any refusal is answered (400, 408, 413, 414, 431, …)
/// and the connection closed.
struct HTTPConnection {
    let socket: Socket
    let server: HTTP1Server
    let peerHost: String
    /// Accepted beyond the cap: one request, answered only if it is a health check.
    let healthOnly: Bool

    /// Bytes received and not yet consumed by a request.
    private final class Input {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
    }

    func run() {
        if healthOnly { return serveHealthCheckOnly() }
        let config = server.config
        let input = Input()
        while !server.isDraining {
            // Idle: wait for the next request's first byte (shorter when connections are scarce).
            if input.bytes.isEmpty {
                let idleStart = HTTP1Server.now()
                var ready = false
                while !ready {
                    let limit = server.underPressure ? config.idleTimeoutUnderPressureSeconds : config.idleTimeoutSeconds
                    let left = idleStart + limit - HTTP1Server.now()
                    if left <= 0 || server.isDraining { return }
                    guard let r = try? socket.waitReadable(timeoutSeconds: min(left, 1)) else { return }
                    ready = r
                }
            }
            let head: RequestHead
            do {
                guard let h = try readHead(input) else { return }
                head = h
            } catch {
                refuse(error)
                return
            }
            // The body, framed by Content-Length and bounded per path.
            let body: Data
            do throws(RequestRefusal) {
                let length = try head.bodyLength()
                let limit = config.maxBodyBytes(head.method, head.path)
                if length > limit {
                    throw RequestRefusal(status: .payloadTooLarge, message: "the request body of \(length) bytes exceeds the \(limit)-byte limit of \(head.path)")
                }
                if length > 0 {
                    // Authorisation from the head alone: a refused upload is never read (nor told to continue).
                    var bare = HTTPRequest(method: head.method, target: head.target, path: head.path, query: head.query,
                                           version: head.version, headers: head.headers)
                    bare.peerHost = peerHost
                    if let refusal = server.refuseBody(of: bare) {
                        try? write(refusal, isHead: false, keepAlive: false)
                        lingeringClose()
                        return
                    }
                }
                if let expect = head.headers[.expect] {
                    guard expect.lowercased() == "100-continue" else {
                        throw RequestRefusal(status: .expectationFailed, message: "only 'Expect: 100-continue' is understood")
                    }
                    if length > input.bytes.count { try? socket.send(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
                }
                guard let b = try readBody(input, length: length) else { return }
                body = b
            } catch {
                refuse(error)
                return
            }
            var request = HTTPRequest(method: head.method, target: head.target, path: head.path, query: head.query,
                                      version: head.version, headers: head.headers, body: body)
            request.peerHost = peerHost
            let response = server.handle(request) ?? waitForHandler(request)
            let keepAlive = head.keepAlive && !server.isDraining && response.headers[.connection]?.lowercased() != "close"
            do {
                try write(response, isHead: head.method == .HEAD, keepAlive: keepAlive)
            } catch { return }
            if !keepAlive {
                lingeringClose()
                return
            }
        }
    }

    /// Run the handler as a task; this thread (not a pool thread) waits for it, and cancels it when the
    /// client goes away meanwhile (its work on other services and nodes then stops too: nobody will
    /// read the answer).
    private func waitForHandler(_ request: HTTPRequest) -> HTTPResponse {
        let done = DispatchSemaphore(value: 0)
        let slot = ResponseSlot()
        let server = self.server
        let task = Task.detached {
            slot.set(await server.handleAsync(request))
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            if socket.peerHasClosed() {
                task.cancel()
                done.wait()
                break
            }
        }
        return slot.get() ?? .error(.internalServerError, "internal error")
    }

    /// A connection beyond the cap: a health check (its head within a second) is answered, anything
    /// else (or nothing) gets the 503 a full server gives.
    private func serveHealthCheckOnly() {
        let head = try? readHead(Input(), timeoutSeconds: 1)
        var answer: HTTPResponse?
        if let head, head.path == "/healthz" {
            var probe = HTTPRequest(method: head.method, target: head.target, path: head.path, query: head.query,
                                    version: head.version, headers: head.headers)
            probe.peerHost = peerHost
            answer = server.handle(probe)
        }
        let response = answer ?? .error(.serviceUnavailable, "the server has \(server.maxConnections) connections open; try again shortly")
        try? write(response, isHead: head?.method == .HEAD, keepAlive: false,
                   extra: answer == nil ? "Retry-After: 1\r\n" : "")
        lingeringClose()
    }

    /// nil: the client closed (or stayed silent) before sending a request; that needs no answer.
    private func readHead(_ input: Input, timeoutSeconds: Double? = nil) throws(RequestRefusal) -> RequestHead? {
        let config = server.config
        var scanner = HeadScanner(limits: config.head)
        let deadline = HTTP1Server.now() + (timeoutSeconds ?? config.headerTimeoutSeconds)
        while true {
            let outcome = try input.bytes.withUnsafeBufferPointer { (p) throws(RequestRefusal) in try scanner.scan(p) }
            if case .complete(let head, let end) = outcome {
                input.bytes.removeFirst(end)
                return head
            }
            let left = deadline - HTTP1Server.now()
            if left <= 0 {
                throw RequestRefusal(status: .requestTimeout, message: "the request head did not arrive within \(Int(config.headerTimeoutSeconds)) s")
            }
            switch read(input, timeout: left) {
            case .bytes: continue
            case .endOfStream, .failed: return nil
            case .timedOut:
                if input.bytes.isEmpty { return nil }
                throw RequestRefusal(status: .requestTimeout, message: "the request head did not arrive within \(Int(config.headerTimeoutSeconds)) s")
            }
        }
    }

    private enum ReadStatus { case bytes, endOfStream, timedOut, failed }

    private func read(_ input: Input, timeout: Double) -> ReadStatus {
        do {
            let r = try input.chunk.withUnsafeMutableBytes { p in Result { () throws(IOFailure) in try socket.receive(into: p, timeoutSeconds: timeout) } }.get()
            switch r {
            case .bytes(let n):
                input.bytes.append(contentsOf: input.chunk[0..<n])
                return .bytes
            case .endOfStream: return .endOfStream
            case .timedOut: return .timedOut
            }
        } catch { return .failed }
    }

    /// nil: the client went away or stalled mid-body (no one to answer).
    /// The body is buffered as it arrives (a large Content-Length alone reserves nothing), within the
    /// server's body budget, and must arrive whole within the grace time plus its length at the minimum rate.
    private func readBody(_ input: Input, length: Int) throws(RequestRefusal) -> Data? {
        if length == 0 { return Data() }
        let config = server.config
        let allowed = config.bodyGraceSeconds + Double(length) / max(1, config.bodyMinimumBytesPerSecond)
        let end = HTTP1Server.now() + allowed
        var reserved = 0
        defer { server.bodyBudget.release(reserved) }
        func grow(to size: Int, _ body: inout Data) throws(RequestRefusal) {
            guard size > body.count else { return }
            guard server.bodyBudget.reserve(size - body.count) else {
                throw RequestRefusal(status: .serviceUnavailable, message: "the server is receiving too many uploads at once; try again shortly")
            }
            reserved += size - body.count
            body.count = size
        }
        var body = Data()
        try grow(to: min(length, 64 << 10), &body)
        let already = min(length, input.bytes.count)
        try grow(to: max(body.count, already), &body)
        body.withUnsafeMutableBytes { p in p.copyMemory(from: UnsafeRawBufferPointer(rebasing: input.bytes.withUnsafeBytes { $0 }[0..<already])) }
        input.bytes.removeFirst(already)
        var got = already
        while got < length {
            if got == body.count { try grow(to: min(length, body.count * 2), &body) }
            let left = end - HTTP1Server.now()
            if left <= 0 {
                throw RequestRefusal(status: .requestTimeout, message: "the request body of \(length) bytes did not arrive within \(Int(allowed)) s")
            }
            let wait = min(config.bodyReadTimeoutSeconds, left)
            let result: Socket.ReadResult
            do {
                result = try body.withUnsafeMutableBytes { p in
                    Result { () throws(IOFailure) in
                        try socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: p[got...]), timeoutSeconds: wait)
                    }
                }.get()
            } catch { return nil }
            switch result {
            case .bytes(let n): got += n
            case .endOfStream: return nil
            case .timedOut:
                if wait < config.bodyReadTimeoutSeconds {
                    throw RequestRefusal(status: .requestTimeout, message: "the request body of \(length) bytes did not arrive within \(Int(allowed)) s")
                }
                throw RequestRefusal(status: .requestTimeout, message: "the request body stalled for \(Int(config.bodyReadTimeoutSeconds)) s")
            }
        }
        return body
    }

    // MARK: writing

    static func head(for response: HTTPResponse, bodyLength: Int, keepAlive: Bool, extra: String = "") -> [UInt8] {
        var text = "HTTP/1.1 \(response.statusCode.code) \(response.statusCode.phrase)\r\n"
        for (name, value) in response.headers where name != .contentLength && name != .connection && name != .transferEncoding {
            // Header values are the server's own; CR/LF would split the response.
            text += "\(name.name): \(value.filter { $0 != "\r" && $0 != "\n" })\r\n"
        }
        text += "Content-Length: \(bodyLength)\r\n"
        text += keepAlive ? "" : "Connection: close\r\n"
        text += extra + "\r\n"
        return Array(text.utf8)
    }

    private func write(_ response: HTTPResponse, isHead: Bool, keepAlive: Bool, extra: String = "") throws(IOFailure) {
        let head = Self.head(for: response, bodyLength: response.body.count, keepAlive: keepAlive, extra: extra)
        if isHead || response.body.isEmpty {
            try socket.send(head)
        } else if response.body.count <= 32 << 10 {
            // One segment for small answers.
            var all = head
            all.append(contentsOf: response.body)
            try socket.send(all)
        } else {
            try socket.send(head)
            try socket.send(response.body)
        }
    }

    /// Answer a refused request and close.
    private func refuse(_ refusal: RequestRefusal) {
        server.config.log("refused: \(refusal.status.code) \(refusal.message)")
        try? write(.error(refusal.status, refusal.message), isHead: false, keepAlive: false,
                   extra: refusal.status == .serviceUnavailable ? "Retry-After: 1\r\n" : "")
        lingeringClose()
    }

    /// Half-close, then read and drop what the client still sends for a moment, so that the answer
    /// is not destroyed by a reset when unread bytes are left in the socket.
    private func lingeringClose() {
        socket.shutdownWrite()
        var scratch = [UInt8](repeating: 0, count: 16 << 10)
        let until = HTTP1Server.now() + 1
        var dropped = 0
        while dropped < 1 << 20 {
            let left = until - HTTP1Server.now()
            guard left > 0 else { return }
            let r = try? scratch.withUnsafeMutableBytes { p in Result { () throws(IOFailure) in try socket.receive(into: p, timeoutSeconds: left) } }.get()
            guard case .bytes(let n)? = r else { return }
            dropped += n
        }
    }
}

/// Where a handler task leaves its answer for the connection thread.
private final class ResponseSlot: Sendable {
    private let value = Mutex<HTTPResponse?>(nil)
    func set(_ r: HTTPResponse) { value.withLock { $0 = r } }
    func get() -> HTTPResponse? { value.withLock { $0 } }
}
