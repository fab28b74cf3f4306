import Foundation
import ServiceSupport

/// What a node's command line says about where the edge reaches it and when it must leave:
/// pure rules, so the batch-system cases (ports chosen by the kernel, a wall-time) are tested without one.
public enum NodeLaunch {
    /// The address the node registers: `--advertise HOST:PORT` as given; `--advertise HOST` (no port, or
    /// port 0) with the port the server actually bound, so nodes sharing a host can all listen on port 0
    /// and never collide; without `--advertise`, the listen host with the bound port.
    public static func advertisedAddress(_ advertise: String?, listenHost: String, boundPort: UInt16) throws(Flags.UsageError) -> String {
        guard let advertise, !advertise.isEmpty else { return "\(listenHost):\(boundPort)" }
        var host = advertise, port: Substring?
        if advertise.hasPrefix("[") {  // IPv6 in brackets: "[::1]" or "[::1]:7104"
            guard let close = advertise.firstIndex(of: "]") else {
                throw Flags.UsageError(description: "--advertise '\(advertise)': an IPv6 address needs its closing ']'")
            }
            host = String(advertise[...close])
            let rest = advertise[advertise.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw Flags.UsageError(description: "--advertise '\(advertise)' must be HOST or HOST:PORT") }
                port = rest.dropFirst()
            }
        } else if advertise.filter({ $0 == ":" }).count > 1 {
            host = "[\(advertise)]"  // a bare IPv6 address: no port
        } else if let colon = advertise.firstIndex(of: ":") {
            host = String(advertise[..<colon])
            port = advertise[advertise.index(after: colon)...]
        }
        guard host != "[]", !host.isEmpty else { throw Flags.UsageError(description: "--advertise '\(advertise)' has no host") }
        guard let port else { return "\(host):\(boundPort)" }
        guard let number = UInt16(port) else {
            throw Flags.UsageError(description: "--advertise '\(advertise)': the port must be in [0, 65535] (0: the port the node bound), got '\(port)'")
        }
        return "\(host):\(number == 0 ? boundPort : number)"
    }

    /// `--drain-at` (Unix seconds, e.g. a batch job's end time minus a margin): when the node leaves the
    /// pool and stops by itself. It must lie ahead of `now` (a node that would leave at once is a mistake
    /// in the job script, not a node) and within a year (anything later is a unit mix-up, e.g. milliseconds).
    /// Empty is none (an environment's `SPOTFINDER_DRAIN_AT=` that a job script left blank).
    public static func drainTime(_ value: String?, now: Date) throws(Flags.UsageError) -> Date? {
        guard let value, !value.isEmpty else { return nil }
        guard let seconds = Double(value), seconds.isFinite else {
            throw Flags.UsageError(description: "--drain-at must be a time in Unix seconds, got '\(value)'")
        }
        let nowSeconds = now.timeIntervalSince1970, latest = nowSeconds + 366 * 86400
        guard seconds > nowSeconds, seconds <= latest else {
            throw Flags.UsageError(description: "--drain-at = \(value) must be in (\(Int(nowSeconds)), \(Int(latest))] Unix seconds "
                                   + "(after now, within a year): the node would \(seconds <= nowSeconds ? "leave before it started" : "never drain")")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
