import API
import Foundation
import HTTPTestSupport
import RPC
import Synchronization
import Testing

/// Every parameter × hostile values × every endpoint and plot type, through the real services:
/// no crash, no 500, and every 400 names a parameter the user can fix.
@Suite(.serialized, .timeLimit(.minutes(20))) struct HTTPFuzzTests {
    /// Values tried for every numeric parameter: non-finite, huge, denormal, empty, long, bad UTF-8,
    /// NUL, hex and the boundaries ± ε.
    static func numericValues(_ p: NumericParameter) -> [String] {
        var v = ["nan", "NaN", "inf", "-inf", "Infinity", "1e308", "-1e308", "4.9e-324", "-4.9e-324", "1e-300",
                 "", "%FF%FE", "%C3%28", "%00", "1%00", "0x10", "1e", "--1", String(repeating: "9", count: 7000)]
        // Each bound, and ε beyond it on the side that changes the answer (outside if the bound is
        // allowed, inside if not): in-range values cost a computation, so only the extremes are tried.
        let eps = { (b: Double) in max(abs(b) * 1e-9, 1e-12) }
        v += ["\(p.lower)", "\(p.lower + (p.lowerInclusive ? -1 : 1) * eps(p.lower))",
              "\(p.upper)", "\(p.upper + (p.upperInclusive ? 1 : -1) * eps(p.upper))"]
        return v
    }

    static let wordValues = ["", "%00", "%FF", "ON", String(repeating: "x", count: 7000)]
    static let long = String(repeating: "z", count: 20_000)

    struct Case: Sendable { let path: String; let fuzzed: String }

    /// A spot map of 3 × 3 placements (the fuzzed parameter may override any of these).
    static let smallMap = "map_xmin=-1&map_xmax=1&map_ymin=-1&map_ymax=1&map_step=1"

    static func cases() -> [Case] {
        var endpoints: [(String, String)] = [
            ("/api/tilt", "radiator_name=SF-E02"),
            ("/api/spectrum", "radiator_name=ideal"),
            ("/api/snap", "radiator_name=SF-E02&snap_action=snap_para"),
            ("/radiator.png", "radiator_name=SF-E02"),
            ("/api/map", "radiator_name=SF-E02&" + smallMap),
        ]
        for type in ["spot", "tilt", "intense", "enhance", "polar", "map"] {
            let radiator: String = ["spot", "tilt", "map"].contains(type) ? "SF-E02" : "ideal"
            let extra: String = type == "map" ? "&" + smallMap : ""
            for format in ["png", "csv", "json"] {
                endpoints.append(("/plot.png", "radiator_name=" + radiator + "&plot_type=" + type + "&format=" + format + extra))
            }
        }
        var out: [Case] = []
        for (path, base) in endpoints {
            // Cheap defaults so that valid values compute quickly; the fuzzed parameter overrides them.
            let cheap = ["size_px": "200", "pbeam_energy_resol": "0.05"]
            func query(_ name: String, _ value: String) -> String {
                var parts = base.split(separator: "&").map(String.init).filter { !$0.hasPrefix(name + "=") }
                for (k, v) in cheap where k != name { parts.append("\(k)=\(v)") }
                parts.append("\(name)=\(value)")
                return path + "?" + parts.joined(separator: "&")
            }
            for p in ParameterCatalog.numeric + ParameterCatalog.optionalNumeric {
                for v in numericValues(p) { out.append(Case(path: query(p.name, v), fuzzed: p.name)) }
                out.append(Case(path: query(p.name, long), fuzzed: p.name))
            }
            for c in ParameterCatalog.choices where !base.contains(c.name + "=") || c.name == "plot_type" {
                for v in c.choices + wordValues { out.append(Case(path: query(c.name, v), fuzzed: c.name)) }
            }
            for v in ["", "ideal", "SF-G03", "nope", "..%2Fetc", "%00", "%FF", "a%2Fb", String(repeating: "a", count: 65)] {
                out.append(Case(path: query("radiator_name", v), fuzzed: "radiator_name"))
            }
            for v in ["", "ebeam_energy%3Dnan", "%FF", "x%3D1", "radiator_name%3Dideal%26ebeam_energy%3D3"] {
                out.append(Case(path: query("compare", v), fuzzed: "compare"))
            }
            for v in ["%FF=1", "%00=1", "unknown=1", "%zz=1"] { out.append(Case(path: path + "?" + base + "&" + v, fuzzed: "query")) }
        }
        return out
    }

    @Test func everyParameterTimesHostileValuesOnEveryEndpoint() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let all = Self.cases()
        #expect(all.count >= 10_000)
        let state = FuzzState()
        let known = Set(ParameterCatalog.numeric.map(\.name) + ParameterCatalog.optionalNumeric.map(\.name) + ParameterCatalog.choices.map(\.name)
                        + ParameterCatalog.text + ["query"])
        let port = system.http
        let workers = 6
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    await offPool {
                        var client: KeepAliveClient?
                        while true {
                            let i = state.next.add(1, ordering: .relaxed).oldValue
                            guard i < all.count else { return }
                            let c = all[i]
                            if client == nil { client = try? KeepAliveClient(port: port) }
                            guard let r = client?.get(c.path) else {
                                client = nil
                                state.tally.withLock { $0.transportErrors += 1; $0.failures.append("no answer: \(c.path.prefix(200))") }
                                continue
                            }
                            if !r.keepAlive { client = nil }
                            var problem: String?
                            if r.status == 500 || r.status == 502 {
                                problem = "status \(r.status)"
                            } else if r.status == 400 {
                                let json = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any]
                                let parameter = json?["parameter"] as? String
                                let printable = parameter.map { !$0.isEmpty && $0.count <= 64 && $0.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } } ?? false
                                if !printable || (c.fuzzed != "query" && !known.contains(parameter!)) {
                                    problem = "400 without a known parameter"
                                }
                            } else if r.status == 429 {
                                // Valid maps and grid exports past this client's batch budget (README "Fair sharing"):
                                // refused at once with a sentence and when to retry; invalid ones still get their 400.
                                let json = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any]
                                if json?["retry_after_s"] == nil || !(c.path.hasPrefix("/api/map") || c.path.hasPrefix("/plot.png")) {
                                    problem = "429 without retry_after_s, or on an interactive route"
                                }
                            } else if ![200, 404, 414, 503, 504].contains(r.status) {
                                // 503/504 (a service down or the deadline under load) are counted; a crash fails below.
                                problem = "status \(r.status)"
                            }
                            state.tally.withLock { t in
                                t.statuses[r.status, default: 0] += 1
                                if let problem {
                                    t.failures.append("\(problem): \(c.path.prefix(300)) → \(String(decoding: r.body.prefix(300), as: UTF8.self))")
                                }
                            }
                        }
                    }
                }
            }
        }
        let t = state.tally.withLock { $0 }
        print("HTTP fuzz: \(all.count) requests, statuses \(t.statuses.sorted { $0.key < $1.key })")
        for f in t.failures.prefix(40) { print("  " + f) }
        #expect(t.failures.isEmpty, "\(t.failures.count) bad answers; first: \(t.failures.first ?? "")")
        for s in system.services { #expect(s.process.isRunning, "\(s.name) is still running") }
        #expect(try await system.get("/healthz").status == 200)
    }
}

/// Shared by the fuzz workers: the next case and what was seen.
final class FuzzState: Sendable {
    struct Tally: Sendable {
        var statuses: [Int: Int] = [:]
        var failures: [String] = []
        var transportErrors = 0
    }
    let tally = Mutex(Tally())
    let next = Atomic(0)
}

/// A blocking HTTP/1.1 client that keeps its connection (the fuzz test sends many thousands of requests).
final class KeepAliveClient {
    private let client: RawClient

    init(port: UInt16) throws { client = try RawClient(port: port) }

    func get(_ target: String, timeout: Double = 60) -> (status: Int, body: Data, keepAlive: Bool)? {
        guard (try? client.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) != nil,
              let r = client.readResponse(timeout: timeout) else { return nil }
        return (r.status, Data(r.body), r.headers["connection"]?.lowercased() != "close")
    }
}
