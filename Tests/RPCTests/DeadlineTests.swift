import Foundation
import Testing
import RPC

/// Deadlines from any number of seconds: never a trap, never a deadline in the past for a long span.
@Suite struct DeadlineTests {
    @Test func spansTooLongForNanosecondsMeanNoDeadline() {
        for seconds in [Double.infinity, 1e300, 1e12] {
            let d = Deadline.after(seconds: seconds)
            #expect(d.isNone, "\(seconds) s")
            #expect(d.remainingSeconds == .infinity && d.wireTimeoutMs == 0)
        }
    }

    @Test func ordinarySpansAreKept() {
        let d = Deadline.after(seconds: 86_400 * 365)  // a year
        #expect(!d.isNone && d.remainingSeconds > 86_400 * 364)
        for seconds in [-1.0, 0, .nan, -Double.infinity] {
            #expect(Deadline.after(seconds: seconds).remainingSeconds <= 0.001, "\(seconds) s is now")
        }
    }
}
