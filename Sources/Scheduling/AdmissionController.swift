import Foundation
import Synchronization

/// Who asks for batch work: the peer's address for anonymous callers (so one machine's many
/// connections share one budget), or the deployment's own services and lab tools that present the
/// token (known: a larger share).
public struct ClientIdentity: Hashable, Sendable, CustomStringConvertible {
    public let key: String
    public let isKnown: Bool
    public init(key: String, isKnown: Bool) {
        self.key = key
        self.isKnown = isKnown
    }
    public var description: String { isKnown ? "known client \(key)" : "client \(key)" }
}

/// How much batch work may run and wait, overall and per client. Anonymous clients together never
/// get every running slot while known ones may want one (`anonymousRunning`).
public struct AdmissionBudget: Sendable, Equatable {
    /// Batch jobs running at once, all clients together.
    public var running = 3
    /// Batch jobs waiting, all clients together; beyond it new work is refused.
    public var queued = 16
    /// Running at once for all anonymous clients together (the rest are kept for token holders).
    public var anonymousRunning = 2
    /// One anonymous client: running at once, and waiting.
    public var perClientRunning = 1
    public var perClientQueued = 2
    /// One known client: running at once, and waiting.
    public var knownPerClientRunning = 2
    public var knownPerClientQueued = 8

    public init() {}

    /// A budget with these totals (per-client shares as by default).
    public init(running: Int, anonymousRunning: Int, queued: Int = 16) {
        self.running = running
        self.anonymousRunning = anonymousRunning
        self.queued = queued
    }

    /// A sentence naming the first value out of range, or nil when the budget is usable.
    public var problem: String? {
        if running < 1 { return "running = \(running): at least 1 batch job must be able to run" }
        if queued < 0 || perClientQueued < 0 || knownPerClientQueued < 0 { return "queue lengths must be 0 or more" }
        if anonymousRunning < 0 || anonymousRunning > running { return "anonymousRunning = \(anonymousRunning): must be in [0, running = \(running)]" }
        if perClientRunning < 1 || knownPerClientRunning < 1 { return "per-client running budgets must be at least 1" }
        return nil
    }
}

/// Batch work refused: the budget is spent. Maps to HTTP 429 with Retry-After, or RESOURCE_EXHAUSTED.
public struct AdmissionRefusal: Error, Sendable, CustomStringConvertible {
    /// When asking again may succeed (an estimate from recent batch durations).
    public let retryAfterSeconds: Int
    public let message: String
    /// True when the caller cancelled while it waited (nobody to answer), not a refusal by budget.
    public let cancelled: Bool
    public var description: String { message }
}

/// Where a client's batch work stands (the page shows it while a map waits).
public struct QueueStatus: Sendable, Equatable, Codable {
    /// This client's jobs running and waiting.
    public var running = 0
    public var queued = 0
    /// 1-based position of this client's first waiting job in the whole queue (0: none waits).
    public var position = 0
    /// All clients: running, waiting, and the budget's running slots.
    public var totalRunning = 0
    public var totalQueued = 0
    public var slots = 0
}

/// Admission for batch work: within the budget a job runs at once or waits its turn in one FIFO queue
/// (the first waiting job whose client is under its own running budget goes next); beyond it the caller
/// is refused at once with a Retry-After, so no client can hold the machine or an unbounded queue.
/// Interactive work never comes here: it is never queued behind batch work.
///
/// Use: `let ticket = try await admission.admit(client)`, do the work, `ticket.release()` (a ticket
/// released twice, or never, frees its slot once: its deinit releases it too).
public final class AdmissionController: Sendable {
    public let budget: AdmissionBudget

    private struct Waiter {
        let id: UInt64
        let client: ClientIdentity
        let continuation: CheckedContinuation<Result<AdmissionTicket, AdmissionRefusal>, Never>
    }
    private struct State {
        var running: [ClientIdentity: Int] = [:]
        var runningTotal = 0
        var anonymousRunning = 0
        var queue: [Waiter] = []
        var nextId: UInt64 = 0
        /// Recent batch durations (exponentially weighted), for Retry-After.
        var averageSeconds = 10.0
    }
    private let state = Mutex(State())

    public init(budget: AdmissionBudget = AdmissionBudget()) {
        self.budget = budget
    }

    /// Admit one batch job for `client`: at once, after waiting in the queue, or refused.
    public func admit(_ client: ClientIdentity) async throws(AdmissionRefusal) -> AdmissionTicket {
        let id = state.withLock { s -> UInt64 in s.nextId += 1; return s.nextId }
        let result: Result<AdmissionTicket, AdmissionRefusal> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let (refused, promoted) = state.withLock { s -> (AdmissionRefusal?, [(Waiter, AdmissionTicket)]) in
                    if Task.isCancelled { return (Self.cancelledRefusal, []) }
                    // In the queue's order: it runs now only if no waiting job that may run is ahead of it.
                    if !canRun(client, s), let refusal = refusal(for: client, s) { return (refusal, []) }
                    s.queue.append(Waiter(id: id, client: client, continuation: continuation))
                    return (nil, fill(&s))
                }
                if let refused { continuation.resume(returning: .failure(refused)) }
                for (w, ticket) in promoted { w.continuation.resume(returning: .success(ticket)) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let i = s.queue.firstIndex(where: { $0.id == id }) else { return nil }
                return s.queue.remove(at: i)
            }
            waiter?.continuation.resume(returning: .failure(Self.cancelledRefusal))
        }
        return try result.get()
    }

    private static let cancelledRefusal = AdmissionRefusal(retryAfterSeconds: 0, message: "the caller stopped waiting", cancelled: true)

    /// Where `client`'s work stands.
    public func status(of client: ClientIdentity) -> QueueStatus {
        state.withLock { s in
            var q = QueueStatus(running: s.running[client] ?? 0, totalRunning: s.runningTotal, totalQueued: s.queue.count, slots: budget.running)
            q.queued = s.queue.count { $0.client == client }
            q.position = (s.queue.firstIndex { $0.client == client }).map { $0 + 1 } ?? 0
            return q
        }
    }

    /// Batch jobs running and waiting now, all clients.
    public var load: (running: Int, queued: Int) { state.withLock { ($0.runningTotal, $0.queue.count) } }

    private func canRun(_ client: ClientIdentity, _ s: State) -> Bool {
        guard s.runningTotal < budget.running else { return false }
        if client.isKnown { return (s.running[client] ?? 0) < budget.knownPerClientRunning }
        return s.anonymousRunning < budget.anonymousRunning && (s.running[client] ?? 0) < budget.perClientRunning
    }

    private func refusal(for client: ClientIdentity, _ s: State) -> AdmissionRefusal? {
        let mine = s.queue.count { $0.client == client }
        let perClient = client.isKnown ? budget.knownPerClientQueued : budget.perClientQueued
        let why: String
        if mine >= perClient {
            why = "\(client.isKnown ? "a known client" : "one client") may have \(client.isKnown ? budget.knownPerClientRunning : budget.perClientRunning) batch job(s) running and \(perClient) waiting; this one would be past that"
        } else if s.queue.count >= budget.queued {
            why = "\(budget.queued) batch jobs are already waiting for \(budget.running) running slot(s)"
        } else if !client.isKnown && budget.anonymousRunning == 0 {
            why = "batch work needs the deployment token here"
        } else {
            return nil
        }
        let ahead = Double(s.queue.count + 1)
        let retry = max(1, min(600, Int((s.averageSeconds * ahead / Double(budget.running)).rounded(.up))))
        return AdmissionRefusal(retryAfterSeconds: retry, message: "busy: \(why); try again in \(retry) s", cancelled: false)
    }

    private func start(_ client: ClientIdentity, _ s: inout State) -> AdmissionTicket {
        s.running[client, default: 0] += 1
        s.runningTotal += 1
        if !client.isKnown { s.anonymousRunning += 1 }
        return AdmissionTicket(controller: self, client: client)
    }

    fileprivate func finished(_ client: ClientIdentity, seconds: Double) {
        var promoted: [(Waiter, AdmissionTicket)] = []
        state.withLock { s in
            if let n = s.running[client] { s.running[client] = n > 1 ? n - 1 : nil }
            s.runningTotal -= 1
            if !client.isKnown { s.anonymousRunning -= 1 }
            s.averageSeconds = 0.8 * s.averageSeconds + 0.2 * min(600, max(0.1, seconds))
            promoted = fill(&s)
        }
        for (w, ticket) in promoted { w.continuation.resume(returning: .success(ticket)) }
    }

    /// Free slots go to the first waiting jobs whose clients may run one more (resume them after unlocking).
    private func fill(_ s: inout State) -> [(Waiter, AdmissionTicket)] {
        var promoted: [(Waiter, AdmissionTicket)] = []
        var i = 0
        while i < s.queue.count && s.runningTotal < budget.running {
            if canRun(s.queue[i].client, s) {
                let w = s.queue.remove(at: i)
                promoted.append((w, start(w.client, &s)))
            } else {
                i += 1
            }
        }
        return promoted
    }
}

/// A running batch job's slot; `release()` when the work is done (or abandoned).
public final class AdmissionTicket: Sendable {
    private let controller: AdmissionController
    public let client: ClientIdentity
    private let released = Atomic(false)
    private let started = DispatchTime.now().uptimeNanoseconds

    fileprivate init(controller: AdmissionController, client: ClientIdentity) {
        self.controller = controller
        self.client = client
    }

    public func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        controller.finished(client, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    deinit { release() }
}
