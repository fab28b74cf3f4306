import CobremsNodeCore
import Foundation
import RockingCurve
import RPC
import Testing
import Wire
import WireMapping

/// Issue #22 for rocking-curve tiles: a tile whose caller went away stops on the node within a second
/// (the node's ReduceTile polls `context.shouldStop` between pixels), as abandoned map chunks do.
@Suite struct AbandonedTileTests {
    @Test func abandonedTileStopsOnTheNodeWithinASecond() async throws {
        let service = CobremsNodeService(threads: CobremsNodeService.threads(capacity: 1))
        let server = try RPCServer(routes: service.routes, config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        // 32 768 pseudo-Voigt fits: many seconds on one thread.
        let frames = try SyntheticTiles.frames()
        let job = try TileReductionJob(tile: try SyntheticTiles.tile(0, pixels: 32_768, frames: frames), frames: frames,
                                       options: ReductionOptions(method: .pvoigt))
        let message = ReduceTileRequestMessage(job)
        let call = Task {
            let _: ReduceTileResponseMessage = try await client.call(CobremsNodeService.reduceTile, message, deadline: .after(seconds: 60))
        }
        while service.threads.running(.batch) == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        call.cancel()
        let cancelled = Deadline.now
        while service.threads.running(.batch) > 0 && Double(Deadline.now - cancelled) / 1e9 < 10 {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(service.threads.running(.batch) == 0)
        // The target is a second (README "Stress" measures it on a live system); a shared, loaded machine gets
        // 3 s here, still far below the 10+ s the work runs when nothing stops it.
        #expect(Double(Deadline.now - cancelled) / 1e9 < 3, "the node stopped the tile within seconds of the cancellation, not at its end")
    }

    /// The pure reduction stops (with an error naming the tile) when asked, and is unchanged when not.
    @Test func tileReductionStopsWhenAskedAndIsUnchangedOtherwise() throws {
        let frames = try SyntheticTiles.frames()
        let tile = try SyntheticTiles.tile(1, pixels: 600, frames: frames)
        let options = ReductionOptions(method: .gauss)
        let polls = PollCounter()
        #expect(throws: RockingCurveError.self) {
            try TileReduction.reduce(tile, frames: frames, options: options, shouldStop: { polls.next() >= 2 })
        }
        #expect(polls.count == 2, "stopped at the second poll (pixel \(TileReduction.stopCheckPixels)), not at the end")
        let plain = try TileReduction.reduce(tile, frames: frames, options: options)
        let polled = try TileReduction.reduce(tile, frames: frames, options: options, shouldStop: { false })
        #expect(plain.position.map(\.bitPattern) == polled.position.map(\.bitPattern))
        #expect(plain.validity == polled.validity)
    }
}

/// Counts the polls of `shouldStop` (one thread: the reduction's own).
private final class PollCounter: @unchecked Sendable {
    private(set) var count = 0
    func next() -> Int {
        count += 1
        return count
    }
}
