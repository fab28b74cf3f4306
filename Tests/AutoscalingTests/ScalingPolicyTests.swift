import Autoscaling
import Testing

/// The scaling rule on its own: looks at a made-up edge, one every `step` seconds.
@Suite struct ScalingPolicyTests {
    static var limits: ScalingLimits {
        var l = ScalingLimits()
        l.minJobs = 1
        l.maxJobs = 4
        l.cooldownSeconds = 30
        l.growAfterSeconds = 10
        l.shrinkAfterSeconds = 60
        l.busyUtilisation = 1
        l.slowChunkSeconds = 2
        return l
    }

    static func jobs(_ ids: [Int], pending: Set<Int> = [], joined: Bool = true) -> [NodeJob] {
        ids.map { NodeJob(id: "\($0)", state: pending.contains($0) ? .pending : .running, joined: joined && !pending.contains($0)) }
    }

    static let busy = EdgeLoad(nodes: 1, capacity: 4, chunksInFlight: 12, chunksAnswered: 30, meanChunkSeconds: 0.8)
    static let idle = EdgeLoad(nodes: 2, capacity: 8, chunksInFlight: 0)
    static let calm = EdgeLoad(nodes: 2, capacity: 8, chunksInFlight: 3, chunksAnswered: 20, meanChunkSeconds: 0.3)

    /// Looks from `start` to `end` every `step` s with the same load and jobs; the first change decided, and when.
    static func firstChange(load: EdgeLoad?, jobs: [NodeJob], state: inout ScalerState, from start: Double, to end: Double,
                            step: Double = 1, limits: ScalingLimits = limits) -> (ScalingDecision, Double)? {
        var t = start
        while t <= end {
            let d = ScalingPolicy.decide(load: load, jobs: jobs, state: &state, limits: limits, now: t)
            if case .hold = d { t += step; continue }
            return (d, t)
        }
        return nil
    }

    @Test func aSustainedBurstGrowsThePoolEnoughForItsLoadAfterGrowAfter() throws {
        var state = ScalerState()
        let (d, t) = try #require(Self.firstChange(load: Self.busy, jobs: Self.jobs([10]), state: &state, from: 100, to: 200))
        // Busy from the first look at 100 s: the grow comes at 110 s, not before.
        #expect(t == 110)
        // 12 chunks in flight on 4 cores per node want 3 nodes: 2 more.
        guard case .submit(2, let reason) = d else { Issue.record("expected submit 2, got \(d)"); return }
        #expect(reason.contains("12 chunks in flight on 4 cores"))
        #expect(state.lastChangeAt == 110)
    }

    @Test func oneShortMapIsABlipNotABurst() {
        var state = ScalerState()
        for t in stride(from: 0.0, through: 40, by: 1) {
            // Busy for 5 s in every 20 (a map every 20 s): never 10 s in a row.
            let load = Int(t) % 20 < 5 ? Self.busy : Self.calm
            #expect(ScalingPolicy.decide(load: load, jobs: Self.jobs([10]), state: &state, limits: Self.limits, now: t)
                        == .hold(Int(t) % 20 < 5 ? "busy (12 chunks in flight on 4 cores) for \(Int(t) % 20).0 s" : "load within bounds"))
        }
    }

    @Test func growthStopsAtTheMaximumAndWaitsForStartingJobs() {
        var state = ScalerState()
        let huge = EdgeLoad(nodes: 1, capacity: 1, chunksInFlight: 100)
        // 100 chunks on one core want 100 nodes; the maximum of 4 jobs allows 3 more.
        #expect(Self.firstChange(load: huge, jobs: Self.jobs([1]), state: &state, from: 0, to: 60)?.0 == .submit(3, "busy for 10.0 s (100 chunks in flight on 1 cores)"))
        // Still busy with 4 jobs: nothing more, ever.
        state = ScalerState()
        #expect(Self.firstChange(load: huge, jobs: Self.jobs([1, 2, 3, 4]), state: &state, from: 0, to: 600) == nil)
        // A job not yet in the registry (pending, or running but not joined): wait for it before adding more.
        state = ScalerState()
        #expect(Self.firstChange(load: huge, jobs: Self.jobs([1, 2], pending: [2]), state: &state, from: 0, to: 600) == nil)
        state = ScalerState()
        #expect(Self.firstChange(load: huge, jobs: Self.jobs([1, 2], joined: false), state: &state, from: 0, to: 600) == nil)
    }

    @Test func slowChunksAndQueuedWorkCountAsBusy() {
        var state = ScalerState()
        let slow = EdgeLoad(nodes: 2, capacity: 8, chunksInFlight: 2, chunksAnswered: 4, meanChunkSeconds: 3.5)
        // Few chunks in flight, but each took 3.5 s (≥ 2 s): one more node.
        #expect(Self.firstChange(load: slow, jobs: Self.jobs([1, 2]), state: &state, from: 0, to: 60)?.0
                == .submit(1, "busy for 10.0 s (chunks took 3.5 s on average)"))
        state = ScalerState()
        let queued = EdgeLoad(nodes: 2, capacity: 8, chunksInFlight: 8, queueDepth: 16)
        // 8 in flight + 16 queued on 4 cores per node want 6 nodes: 4 more, capped at the maximum (2 more).
        #expect(Self.firstChange(load: queued, jobs: Self.jobs([1, 2]), state: &state, from: 0, to: 60)?.0
                == .submit(2, "busy for 10.0 s (16.0 queued at the edge)"))
    }

    @Test func idlenessShrinksOneJobAtATimeNewestFirstAndNeverBelowMin() {
        var state = ScalerState()
        var jobs = Self.jobs([7, 12, 9])
        var cancelled: [String] = []
        var t = 0.0
        while t < 1000 {
            if case .cancel(let ids, _) = ScalingPolicy.decide(load: Self.idle, jobs: jobs, state: &state, limits: Self.limits, now: t) {
                cancelled += ids
                jobs.removeAll { ids.contains($0.id) }
                #expect(ids.count == 1)
            }
            t += 1
        }
        // Newest (highest id) first, down to the minimum of 1: the oldest job stays.
        #expect(cancelled == ["12", "9"])
        #expect(jobs.map(\.id) == ["7"])
        // With the minimum at 0 the last one goes too.
        var zero = Self.limits
        zero.minJobs = 0
        state = ScalerState()
        #expect(Self.firstChange(load: Self.idle, jobs: jobs, state: &state, from: 0, to: 100, limits: zero)?.0 == .cancel(["7"], "idle for 60.0 s"))
    }

    @Test func aPendingJobIsCancelledBeforeAnyRunningOne() {
        var state = ScalerState()
        let jobs = Self.jobs([3, 4, 5], pending: [4])
        #expect(Self.firstChange(load: Self.idle, jobs: jobs, state: &state, from: 0, to: 100)?.0 == .cancel(["4"], "idle for 60.0 s"))
    }

    @Test func theFloorAndCeilingAreRestoredAndCooldownSpacesChanges() {
        var state = ScalerState()
        // Below the minimum: at once when the scaler starts; pending jobs count as jobs.
        var three = Self.limits
        three.minJobs = 3
        #expect(ScalingPolicy.decide(load: Self.calm, jobs: Self.jobs([1, 2], pending: [2]), state: &state, limits: three, now: 100)
                == .submit(1, "2 node jobs, below the minimum 3"))
        // Jobs that end as soon as they start (a wrong token): one more submission per cool-down, not per look.
        #expect(Self.firstChange(load: Self.calm, jobs: Self.jobs([1, 2], pending: [2]), state: &state, from: 101, to: 200, limits: three)?.1 == 130)
        // Above the maximum (lowered while running): pending first, then newest.
        #expect(ScalingPolicy.decide(load: Self.calm, jobs: Self.jobs([1, 2, 3, 4, 5, 6], pending: [2]), state: &state, limits: Self.limits, now: 101)
                == .cancel(["2", "6"], "6 node jobs, above the maximum 4"))
        // After a grow, the next one waits for the cool-down even when the load stays high.
        state = ScalerState()
        let first = Self.firstChange(load: Self.busy, jobs: Self.jobs([1]), state: &state, from: 0, to: 100)
        #expect(first?.1 == 10)
        let second = Self.firstChange(load: Self.busy, jobs: Self.jobs([1, 2]), state: &state, from: 11, to: 100)
        #expect(second?.1 == 40, "cool-down 30 s after the change at 10 s")
        // Shrinks are spaced by the idle period (or the cool-down, whichever is longer).
        state = ScalerState()
        let shrink1 = Self.firstChange(load: Self.idle, jobs: Self.jobs([1, 2, 3]), state: &state, from: 0, to: 1000)
        let shrink2 = Self.firstChange(load: Self.idle, jobs: Self.jobs([1, 2]), state: &state, from: (shrink1?.1 ?? 0) + 1, to: 1000)
        #expect(shrink1?.1 == 60 && shrink2?.1 == 121)
    }

    @Test func withoutTheEdgesWordNothingChangesAndBusyTimeRestarts() {
        var state = ScalerState()
        _ = ScalingPolicy.decide(load: Self.busy, jobs: Self.jobs([1]), state: &state, limits: Self.limits, now: 0)
        #expect(ScalingPolicy.decide(load: nil, jobs: Self.jobs([1]), state: &state, limits: Self.limits, now: 5)
                == .hold("the edge's /metrics did not answer: no change"))
        // Not even the floor is restored while the edge is silent (nodes could not join).
        #expect(ScalingPolicy.decide(load: nil, jobs: [], state: &state, limits: Self.limits, now: 6) == .hold("the edge's /metrics did not answer: no change"))
        // The busy stretch starts again from the next answer.
        #expect(Self.firstChange(load: Self.busy, jobs: Self.jobs([1]), state: &state, from: 7, to: 100)?.1 == 17)
    }

    @Test func limitsNameTheirFlag() {
        var l = ScalingLimits()
        l.minJobs = 5
        l.maxJobs = 2
        #expect(throws: ScalingError("--max = 2 must be in [5, 1000] jobs (at least --min and at least 1)")) { try l.validated() }
        l = ScalingLimits()
        l.busyUtilisation = 0
        #expect(throws: ScalingError("--busy-utilisation = 0.0 must be in [0.05, 100.0]")) { try l.validated() }
        l = ScalingLimits()
        l.cooldownSeconds = .nan
        #expect(throws: ScalingError.self) { try l.validated() }
        #expect((try? ScalingLimits().validated()) == ScalingLimits())
    }
}
