import Foundation
import Physics
import Synchronization

/// A small LRU of `SpectrumModel`s keyed by beamline and energy grid: moving a slider for the tilt or
/// the spot reuses the model; changing the beam builds one. Bounded in bytes as well as in count (a
/// 4000-bin model with its averaging grid is tens of MiB), and builds are limited: callers asking for
/// a model being built wait for that build instead of building it again, and at most `maxBuilds`
/// different models are built at once (the others wait), so a burst of new beams cannot take the
/// process's memory.
public final class ModelCache: @unchecked Sendable {
    private struct Key: Hashable { let beamline: Beamline; let grid: EnergyGrid }
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var models: [Key: (model: SpectrumModel, bytes: Int)] = [:]
    private var order: [Key] = []
    private var building: Set<Key> = []
    private var bytes = 0
    private var buildCount = 0
    public let capacity: Int
    public let maxBytes: Int
    public let maxBuilds: Int

    public init(capacity: Int = 16, maxBytes: Int = 256 << 20, maxBuilds: Int = 2) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
        self.maxBuilds = max(1, maxBuilds)
    }

    /// An upper estimate of a model's memory: its per-bin tables and the banded averaging matrix
    /// (bins × bins doubles at worst, built on first use).
    public static func estimatedBytes(bins: Int) -> Int { 64 << 10 + bins * 8 * 16 + bins * bins * 4 }

    /// Models held and their estimated bytes (tests, metrics).
    public var usage: (count: Int, bytes: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (models.count, bytes)
    }

    /// Models built so far (tests, metrics).
    public var builds: Int {
        condition.lock()
        defer { condition.unlock() }
        return buildCount
    }

    public func model(beamline: Beamline, grid: EnergyGrid) -> SpectrumModel {
        let key = Key(beamline: beamline, grid: grid)
        condition.lock()
        while true {
            if let hit = models[key] {
                order.removeAll { $0 == key }
                order.append(key)
                condition.unlock()
                return hit.model
            }
            // Wait while this model is being built elsewhere, or while too many are.
            if !building.contains(key) && building.count < maxBuilds { break }
            condition.wait()
        }
        building.insert(key)
        buildCount += 1
        condition.unlock()
        let model = SpectrumModel(beamline: beamline, grid: grid)
        let size = Self.estimatedBytes(bins: model.x.count)
        condition.lock()
        building.remove(key)
        models[key] = (model, size)
        order.append(key)
        bytes += size
        // Oldest out first; the new one stays even when it alone is over the budget (it is in use).
        while order.count > 1 && (order.count > capacity || bytes > maxBytes) {
            let old = order.removeFirst()
            bytes -= models.removeValue(forKey: old)?.bytes ?? 0
        }
        condition.broadcast()
        condition.unlock()
        return model
    }
}
