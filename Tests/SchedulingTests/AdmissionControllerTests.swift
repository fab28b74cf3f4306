import Foundation
import Scheduling
import Testing

@Suite struct AdmissionControllerTests {
    static let anonymous = ClientIdentity(key: "10.0.0.9", isKnown: false)
    static let other = ClientIdentity(key: "10.0.0.10", isKnown: false)
    static let known = ClientIdentity(key: "10.0.0.11", isKnown: true)

    /// One anonymous client: one running, two waiting (positions 1 and 2), the next refused with a
    /// Retry-After; a finished job lets the first waiting one run.
    @Test func anonymousClientGetsItsBudgetThenARefusal() async throws {
        let admission = AdmissionController(budget: AdmissionBudget(running: 2, anonymousRunning: 1))
        let first = try await admission.admit(Self.anonymous)
        let second = Task { try await admission.admit(Self.anonymous) }
        let third = Task { try await admission.admit(Self.anonymous) }
        while admission.load.queued < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        let status = admission.status(of: Self.anonymous)
        #expect(status.running == 1 && status.queued == 2 && status.position == 1 && status.slots == 2)
        do {
            _ = try await admission.admit(Self.anonymous)
            Issue.record("a fourth job of one anonymous client was admitted")
        } catch {
            #expect(error.retryAfterSeconds >= 1 && !error.cancelled)
            #expect(error.message.contains("waiting"))
        }
        first.release()
        let promoted = try await second.value
        #expect(admission.status(of: Self.anonymous).queued == 1)
        promoted.release()
        try await third.value.release()
        #expect(admission.load == (0, 0))
    }

    /// Anonymous clients together never take every running slot: a known client still starts at once.
    @Test func anonymousClientsNeverHoldTheWholeMachine() async throws {
        let admission = AdmissionController(budget: AdmissionBudget(running: 2, anonymousRunning: 1))
        let a = try await admission.admit(Self.anonymous)
        let waiting = Task { try await admission.admit(Self.other) }
        while admission.load.queued < 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        let k = try await admission.admit(Self.known)
        #expect(admission.load == (2, 1), "the known client runs; the second anonymous client waits")
        k.release()
        #expect(admission.load == (1, 1), "a freed slot is not given to a second anonymous job")
        a.release()
        try await waiting.value.release()
    }

    /// A caller that stops waiting leaves the queue (its place is not held for nobody).
    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let admission = AdmissionController(budget: AdmissionBudget(running: 2, anonymousRunning: 1))
        let a = try await admission.admit(Self.anonymous)
        let waiter = Task { try await admission.admit(Self.anonymous) }
        while admission.load.queued < 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        waiter.cancel()
        do {
            _ = try await waiter.value
            Issue.record("a cancelled waiter was admitted")
        } catch {
            #expect((error as? AdmissionRefusal)?.cancelled == true)
        }
        #expect(admission.load == (1, 0))
        a.release()
        #expect(admission.load == (0, 0))
    }

    @Test func budgetNamesWhatIsWrong() {
        var b = AdmissionBudget()
        #expect(b.problem == nil)
        b.anonymousRunning = 4
        #expect(b.problem?.contains("anonymousRunning = 4") == true)
    }
}
