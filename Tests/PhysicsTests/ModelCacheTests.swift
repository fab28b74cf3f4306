import API
import Compute
import Foundation
import Testing

/// Issue #22: spectrum models are cached within a byte budget, not only a count (a 4000-bin model is
/// tens of MiB and 16 of them grew a process to gigabytes).
@Suite struct ModelCacheTests {
    @Test func cacheStaysWithinItsByteBudget() throws {
        let one = ModelCache.estimatedBytes(bins: 146)
        let cache = ModelCache(capacity: 16, maxBytes: 2 * one + one / 2)
        for energy in [9.0, 10.0, 11.0, 12.0] {
            let r = try SpotfinderRequest(query: "radiator_name=ideal&ebeam_energy=\(energy)&pbeam_energy_min=4.5&pbeam_energy_max=7&pbeam_energy_resol=0.02")
            #expect(cache.model(beamline: r.beamline, grid: r.energyGrid).x.count == 146, "the smearing window of 4.5–7 GeV in 0.02 GeV bins")
        }
        #expect(cache.usage.count == 2, "4 models of \(one) bytes, a budget for 2.5: the oldest were dropped")
        #expect(cache.usage.bytes <= cache.maxBytes)
    }

    /// Many callers asking at once for the same new model share one build (they wait for it).
    @Test func concurrentCallersShareOneBuild() async throws {
        let cache = ModelCache()
        let r = try SpotfinderRequest(query: "radiator_name=ideal&ebeam_energy=8.5")
        // On threads of their own (a build blocks its caller).
        let threads = (0..<8).map { _ in Thread { _ = cache.model(beamline: r.beamline, grid: r.energyGrid) } }
        for t in threads { t.start() }
        while cache.usage.count == 0 || threads.contains(where: { !$0.isFinished }) { try await Task.sleep(nanoseconds: 2_000_000) }
        #expect(cache.builds == 1, "one model built, not one per caller")
        #expect(cache.usage.count == 1)
    }
}
