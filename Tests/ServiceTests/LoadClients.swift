import Foundation
import Synchronization

/// Concurrent clients sending requests in a loop until stopped: request `i` (0, 1, 2, … across all clients)
/// returns nil when answered as expected, else what went wrong. Used to show that nodes joining and leaving
/// cost no request.
final class LoadClients: Sendable {
    private let running = Atomic(true)
    private let failures = Failures()
    private let answered = CallCounter()
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(clients: Int, _ request: @escaping @Sendable (Int) async -> String?) {
        let task = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                for c in 0..<clients {
                    group.addTask {
                        var i = c
                        while self.running.load(ordering: .relaxed) {
                            if let failure = await request(i) { self.failures.add("request \(i): \(failure)") } else { self.answered.increment() }
                            i += clients
                        }
                    }
                }
            }
        }
        loop.withLock { $0 = task }
    }

    /// Requests answered so far.
    var count: Int { answered.count }

    /// Stop after the requests in flight end; how many were answered and what failed.
    func stop() async -> (answered: Int, failures: [String]) {
        running.store(false, ordering: .relaxed)
        await loop.withLock { $0 }?.value
        return (answered.count, failures.all)
    }
}

extension LocalSystem {
    /// Cold spectra (each at a new spot position, so no cache answers): nil when 200.
    func coldSpectrum(_ i: Int) async -> String? {
        await expect200("/api/spectrum?radiator_name=SF-G03&rad_xoffset=\(Double(i % 500) * 0.002)&rad_yoffset=\(Double(i / 500) * 0.002)")
    }

    /// Cold spot maps (another edge energy each, re-snapped, so no cache answers): nil when 200.
    func coldMap(_ i: Int, step: Double = 1.5) async -> String? {
        await expect200("/api/map?radiator_name=SF-G03&fom=peak_polarization&map_resnap=on&map_step=\(step)&snap_edge=\(6 + Double(i % 300) * 0.01)")
    }

    func expect200(_ pathAndQuery: String) async -> String? {
        do {
            let r = try await get(pathAndQuery)
            return r.status == 200 ? nil : "\(r.status) \(String(decoding: r.body.prefix(200), as: UTF8.self))"
        } catch {
            return "\(error)"
        }
    }
}
