import Foundation

/// A point in monotonic time after which nobody waits for the answer. It
/// travels: each hop sends what remains (Envelope.timeout_ms) and the next hop
/// turns that back into its own deadline.
public struct Deadline: Sendable, Comparable {
    /// Monotonic nanoseconds; `.max` means none.
    public let uptimeNanoseconds: UInt64

    public static let none = Deadline(uptimeNanoseconds: .max)

    public init(uptimeNanoseconds: UInt64) { self.uptimeNanoseconds = uptimeNanoseconds }

    public static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// `seconds` from now (negative or NaN: now); beyond about 285 years, or infinite, there is no deadline
    /// (converting such a span to nanoseconds would trap).
    public static func after(seconds: Double) -> Deadline {
        let nanoseconds = max(0, seconds) * 1e9
        guard nanoseconds < 9e18 else { return .none }
        return Deadline(uptimeNanoseconds: now &+ UInt64(nanoseconds))
    }

    /// From a wire timeout: 0 means no deadline.
    public static func fromWire(timeoutMs: UInt32) -> Deadline {
        timeoutMs == 0 ? .none : after(seconds: Double(timeoutMs) / 1000)
    }

    public var isNone: Bool { uptimeNanoseconds == .max }

    public var remainingSeconds: Double {
        isNone ? .infinity : Double(Int64(bitPattern: uptimeNanoseconds &- Self.now)) / 1e9
    }

    public var hasPassed: Bool { !isNone && Self.now >= uptimeNanoseconds }

    /// What to put in an outgoing envelope: at least 1 ms while time remains.
    public var wireTimeoutMs: UInt32 {
        if isNone { return 0 }
        let ms = remainingSeconds * 1000
        return ms <= 1 ? 1 : UInt32(min(ms.rounded(.up), Double(UInt32.max)))
    }

    public static func < (a: Deadline, b: Deadline) -> Bool { a.uptimeNanoseconds < b.uptimeNanoseconds }
}
