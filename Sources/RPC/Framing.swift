import Foundation
import Scheduling
import Wire

/// Length-prefixed frames: a 4-byte big-endian length, then one Envelope.
public enum Framing {
    /// Largest frame accepted or sent: 16 MiB.
    public static let defaultMaxFrameBytes = 16 << 20

    public enum ReadResult: Sendable {
        case envelope(Envelope)
        /// The stream ended cleanly between frames.
        case endOfStream
        /// The frame was read whole but is not an Envelope: answer, keep the connection.
        case malformed(String)
    }

    public enum FramingError: Error, Sendable {
        /// The length prefix is over the limit: refused before reading the body; the stream cannot resync.
        case oversized(Int)
        case socket(SocketError)
    }

    /// Read one frame. `idleSeconds` bounds the wait for its first byte (negative: do not wait first; infinity: wait
    /// as long as it takes), `readSeconds` each later chunk and `frameSeconds` the whole frame once its length
    /// arrived (a peer sending a byte now and then cannot hold a connection). The body is buffered as it
    /// arrives, within `budget` when given (shared by many connections; over it: a socket error ENOBUFS).
    public static func read(from socket: Socket, maxFrameBytes: Int, idleSeconds: Double, readSeconds: Double,
                            frameSeconds: Double = .infinity, budget: ByteBudget? = nil) throws(FramingError) -> ReadResult {
        do {
            if idleSeconds == .infinity {
                _ = try socket.waitReadable(timeoutSeconds: -1)
            } else if idleSeconds >= 0, try !socket.waitReadable(timeoutSeconds: idleSeconds) {
                throw SocketError(operation: "idle for \(idleSeconds) s", errno: ETIMEDOUT)
            }
            guard let header = try socket.readExactly(count: 4, timeoutSeconds: readSeconds) else {
                return .endOfStream
            }
            let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            guard length <= maxFrameBytes else { throw FramingError.oversized(length) }
            var body: [UInt8] = []
            if length > 0 {
                var reserved = 0
                defer { budget?.release(reserved) }
                let b = try socket.readExactly(count: length, timeoutSeconds: readSeconds, totalSeconds: frameSeconds) { n in
                    guard let budget else { return true }
                    guard budget.reserve(n) else { return false }
                    reserved += n
                    return true
                }
                guard let b else { throw SocketError(operation: "read (peer closed mid-frame)", errno: ECONNRESET) }
                body = b
            }
            do {
                return .envelope(try Envelope(serializedBytes: body))
            } catch {
                return .malformed(error.message)
            }
        } catch let e as SocketError {
            throw .socket(e)
        } catch let e as FramingError {
            throw e
        } catch {
            throw .socket(SocketError(operation: "read", errno: EIO))
        }
    }

    /// Encode an envelope as one frame.
    public static func encode(_ envelope: Envelope, maxFrameBytes: Int) throws(RPCError) -> [UInt8] {
        var frame: [UInt8]
        do { frame = try envelope.serializedBytes(prefix: 4) } catch { throw RPCError(.internalError, "cannot encode the frame: \(error.message)") }
        let length = frame.count - 4
        guard length <= maxFrameBytes else {
            throw RPCError(.resourceExhausted, "message of \(length) bytes exceeds the \(maxFrameBytes)-byte frame limit")
        }
        let n = UInt32(length)
        frame[0] = UInt8(n >> 24); frame[1] = UInt8(n >> 16 & 0xFF); frame[2] = UInt8(n >> 8 & 0xFF); frame[3] = UInt8(n & 0xFF)
        return frame
    }
}
