import Foundation
@testable import RPC
import Wire

/// An in-process server with test methods, on an ephemeral loopback port.
enum TestServer {
    static let echo = "/spotfinder.v1.Test/Echo"
    static let slow = "/spotfinder.v1.Test/Slow"
    static let fail = "/spotfinder.v1.Test/Fail"
    static let deadline = "/spotfinder.v1.Test/Deadline"

    static func routes() -> RPCRoutes {
        var r = RPCRoutes()
        r.unary(echo) { (c: CurveMessage, _) in c }
        // Sleeps for x[0] seconds, then echoes.
        r.unary(slow) { (c: CurveMessage, _) in
            try await Task.sleep(nanoseconds: UInt64((c.x.first ?? 0) * 1e9))
            return c
        }
        r.unary(fail) { (c: CurveMessage, _) -> CurveMessage in
            throw RPCError(.invalidArgument, "ebeam_energy = \(c.label) is out of range: must be in [0.1, 100] GeV")
        }
        // Reports the deadline the server saw, in seconds remaining.
        r.unary(deadline) { (_: CurveMessage, ctx) in
            CurveMessage(label: "remaining", x: [ctx.deadline.remainingSeconds])
        }
        return r
    }

    static func start(_ configure: (inout RPCServerConfig) -> Void = { _ in }) throws -> RPCServer {
        var config = RPCServerConfig()
        configure(&config)
        return try RPCServer(routes: routes(), config: config)
    }
}

/// Open file descriptors of this process (for leak checks).
func openFileDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// Raw frame helpers for hostile-input tests.
enum RawFrames {
    static func frame(_ body: [UInt8]) -> [UInt8] {
        let n = UInt32(body.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
    }

    /// Blocking read, done off the concurrency pool so server tasks keep running.
    static func readEnvelope(_ s: Socket, timeout: Double = 5) async throws -> Envelope? {
        let result: Result<Framing.ReadResult, Framing.FramingError> = await offPool {
            do throws(Framing.FramingError) {
                return .success(try Framing.read(from: s, maxFrameBytes: 1 << 24, idleSeconds: timeout, readSeconds: timeout))
            } catch { return .failure(error) }
        }
        guard case .envelope(let e) = try result.get() else { return nil }
        return e
    }

    static func readByte(_ s: Socket, timeout: Double) async throws -> [UInt8]? {
        let result: Result<[UInt8]?, SocketError> = await offPool {
            do throws(SocketError) { return .success(try s.readExactly(count: 1, timeoutSeconds: timeout)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
