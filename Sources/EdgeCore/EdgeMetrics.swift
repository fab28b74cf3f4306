import Foundation
import Synchronization

/// Counters and latency histograms, exposed in Prometheus text format at /metrics.
public final class EdgeMetrics: Sendable {
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 1, 2.5, 5, 10]
    private struct State {
        var requests: [String: Int] = [:]           // "route status" → count
        var latency: [String: [Int]] = [:]          // route → bucket counts (+Inf last)
        var latencySum: [String: Double] = [:]
        var counters: [String: Int] = [:]
        /// Unlabelled latency histograms by metric name (bucket counts, +Inf last; sum).
        var histograms: [String: (buckets: [Int], sum: Double)] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func observe(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests["\(route)\t\(status)", default: 0] += 1
            var b = s.latency[route] ?? Array(repeating: 0, count: Self.buckets.count + 1)
            b[Self.buckets.firstIndex { seconds <= $0 } ?? Self.buckets.count] += 1
            s.latency[route] = b
            s.latencySum[route, default: 0] += seconds
        }
    }

    /// How long one answered chunk took on a node, as the edge waited for it (queueing on the node included):
    /// `spotfinder_chunk_seconds`, the pool's load as an autoscaler sees it.
    public func observeChunk(seconds: Double) { observe(histogram: "chunk_seconds", seconds: seconds) }

    func observe(histogram name: String, seconds: Double) {
        state.withLock { s in
            var h = s.histograms[name] ?? (Array(repeating: 0, count: Self.buckets.count + 1), 0)
            h.buckets[Self.buckets.firstIndex { seconds <= $0 } ?? Self.buckets.count] += 1
            h.sum += seconds
            s.histograms[name] = h
        }
    }

    public func count(_ name: String, by n: Int = 1) { state.withLock { $0.counters[name, default: 0] += n } }

    public func render(gauges: [(String, String, Double)]) -> String {
        state.withLock { s in
            var out = "# HELP spotfinder_http_requests_total HTTP requests by route and status.\n# TYPE spotfinder_http_requests_total counter\n"
            for key in s.requests.keys.sorted() {
                let p = key.split(separator: "\t")
                out += "spotfinder_http_requests_total{route=\"\(p[0])\",status=\"\(p[1])\"} \(s.requests[key]!)\n"
            }
            out += "# HELP spotfinder_http_request_seconds HTTP request latency.\n# TYPE spotfinder_http_request_seconds histogram\n"
            for route in s.latency.keys.sorted() {
                var cumulative = 0
                for (i, c) in s.latency[route]!.enumerated() {
                    cumulative += c
                    let le = i < Self.buckets.count ? String(Self.buckets[i]) : "+Inf"
                    out += "spotfinder_http_request_seconds_bucket{route=\"\(route)\",le=\"\(le)\"} \(cumulative)\n"
                }
                out += "spotfinder_http_request_seconds_sum{route=\"\(route)\"} \(s.latencySum[route]!)\n"
                out += "spotfinder_http_request_seconds_count{route=\"\(route)\"} \(cumulative)\n"
            }
            for name in s.histograms.keys.sorted() {
                let h = s.histograms[name]!
                out += "# TYPE spotfinder_\(name) histogram\n"
                var cumulative = 0
                for (i, c) in h.buckets.enumerated() {
                    cumulative += c
                    out += "spotfinder_\(name)_bucket{le=\"\(i < Self.buckets.count ? String(Self.buckets[i]) : "+Inf")\"} \(cumulative)\n"
                }
                out += "spotfinder_\(name)_sum \(h.sum)\nspotfinder_\(name)_count \(cumulative)\n"
            }
            for name in s.counters.keys.sorted() {
                out += "# TYPE spotfinder_\(name) counter\nspotfinder_\(name) \(s.counters[name]!)\n"
            }
            for (name, help, v) in gauges {
                out += "# HELP spotfinder_\(name) \(help)\n# TYPE spotfinder_\(name) gauge\nspotfinder_\(name) \(v)\n"
            }
            return out
        }
    }
}
