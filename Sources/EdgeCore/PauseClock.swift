import Foundation
import RPC
import Synchronization

/// Notices when this process itself did not run for a while (SIGSTOP, a frozen VM, a swapped-out
/// machine): a thread stamps the time every 200 ms, so a long gap since the last stamp means the whole
/// process stood still. Silence of others measured across such a gap is ours, not theirs: the node
/// registry counts a node's silence only from the moment the edge ran again.
final class PauseClock: Sendable {
    /// A gap longer than this between stamps is a pause of this process.
    static let pauseSeconds = 1.0
    private let lastTick = Atomic<UInt64>(Deadline.now)
    private let lastResume = Atomic<UInt64>(0)

    init() {
        let t = Thread { [weak self] in
            while let clock = self {
                clock.tick()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        t.name = "pause-clock"
        t.stackSize = 64 << 10
        t.start()
    }

    private func tick() {
        _ = resumedAt(Deadline.now)
        lastTick.store(Deadline.now, ordering: .releasing)
    }

    /// When this process last resumed after a pause (0: never paused), checked as of `now`.
    func resumedAt(_ now: UInt64) -> UInt64 {
        let last = lastTick.load(ordering: .acquiring)
        if now > last, Double(now - last) / 1e9 > Self.pauseSeconds {
            lastResume.store(now, ordering: .releasing)
            lastTick.store(now, ordering: .releasing)
        }
        return lastResume.load(ordering: .acquiring)
    }
}
