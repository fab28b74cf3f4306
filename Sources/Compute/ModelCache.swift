import Physics
import Synchronization

/// A small LRU of `SpectrumModel`s keyed by beamline and energy grid: moving a
/// slider for the tilt or the spot reuses the model; changing the beam builds one.
public final class ModelCache: Sendable {
    private struct Key: Hashable { let beamline: Beamline; let grid: EnergyGrid }
    private struct State { var models: [Key: SpectrumModel] = [:]; var order: [Key] = [] }
    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int = 16) {
        self.capacity = capacity
    }

    public func model(beamline: Beamline, grid: EnergyGrid) -> SpectrumModel {
        let key = Key(beamline: beamline, grid: grid)
        if let hit = state.withLock({ s -> SpectrumModel? in
            guard let m = s.models[key] else { return nil }
            s.order.removeAll { $0 == key }
            s.order.append(key)
            return m
        }) { return hit }
        // Build outside the lock: two racing builders waste a little work, never block each other.
        let model = SpectrumModel(beamline: beamline, grid: grid)
        state.withLock { s in
            if s.models[key] == nil {
                s.models[key] = model
                s.order.append(key)
                while s.order.count > capacity { s.models[s.order.removeFirst()] = nil }
            }
        }
        return model
    }
}
