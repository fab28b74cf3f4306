import Testing
@testable import SpotMap

/// Issue #21 item 3: a single high placement next to the excluded region does not win; the ranking
/// takes the worst value within the beam's jitter, margins are shown, equal values are ties.
@Suite struct RobustRankingTests {
    // 5 × 3 placements, 0.1 mm apart; the left column is excluded; (1, 1) is a lone spike beside it.
    static let xs = [0.0, 0.1, 0.2, 0.3, 0.4], ys = [0.0, 0.1, 0.2]
    static let values: [Double] = [.nan, 0.50, 0.50, 0.50, 0.50,
                                   .nan, 0.60, 0.50, 0.50, 0.50,
                                   .nan, 0.50, 0.50, 0.50, 0.50]
    static let allowed = values.map(\.isFinite)

    @Test func theWorstValueWithinTheJitterRanks() {
        let r = RobustRanking(values: Self.values, allowed: Self.allowed, xOffsets: Self.xs, yOffsets: Self.ys, jitter: 0.1, higherIsBetter: true)
        // The spike's circle reaches the excluded column: not ranked. Its right neighbour is worth 0.5 (not 0.6).
        #expect(r.robust[6].isNaN)
        #expect(r.robust[7] == 0.5)
        #expect(abs(r.margin(7) - 0.2) < 1e-12 && abs(r.margin(6) - 0.1) < 1e-12)
        // Without jitter each placement is its own value.
        let zero = RobustRanking(values: Self.values, allowed: Self.allowed, xOffsets: Self.xs, yOffsets: Self.ys, jitter: 0, higherIsBetter: true)
        #expect(zero.robust[6] == 0.6)
    }

    @Test func lowerIsBetterTakesTheLargestNeighbour() {
        let r = RobustRanking(values: [1, 2, 3], allowed: [true, true, true], xOffsets: [0, 1, 2], yOffsets: [0], jitter: 1, higherIsBetter: false)
        #expect(r.robust == [2, 3, 3])
        #expect((0..<3).allSatisfy { r.margin($0) == .infinity })
    }
}
