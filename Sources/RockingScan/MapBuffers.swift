import RockingCurve

/// The scan's output maps while bands fill them: one buffer per map, written at disjoint pixel
/// ranges by the band workers (so no lock is needed).
final class MapBuffers: @unchecked Sendable {
    let names: [MapName]
    private let buffers: [MapName: UnsafeMutableBufferPointer<Float>]
    private let maskBuffer: UnsafeMutableBufferPointer<UInt8>
    let pixels: Int

    init(pixels: Int, names: [MapName]) {
        self.pixels = pixels
        self.names = names
        var b: [MapName: UnsafeMutableBufferPointer<Float>] = [:]
        for name in names {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: pixels)
            buffer.initialize(repeating: .nan)
            b[name] = buffer
        }
        buffers = b
        maskBuffer = .allocate(capacity: pixels)
        maskBuffer.initialize(repeating: PixelValidity.noPeakInRange.rawValue)
    }

    deinit {
        for b in buffers.values { b.deallocate() }
        maskBuffer.deallocate()
    }

    /// Stores the tile's maps for `names` (those this scan writes) from pixel `first` on.
    func store(_ maps: TileMaps, at first: Int, names: [MapName]) {
        for name in names {
            guard let buffer = buffers[name] else { continue }
            let values = maps.values(name)
            // Invalid pixels are NaN, except `hbase` where the tile measured it (TileMaps.measuredBackground decides).
            let keepsInvalid = name == .hbase
            for i in 0..<maps.pixelCount { buffer[first + i] = keepsInvalid || maps.validity[i] == .valid ? values[i] : .nan }
        }
    }

    func storeMask(_ maps: TileMaps, at first: Int) {
        for i in 0..<maps.pixelCount { maskBuffer[first + i] = maps.validity[i].rawValue }
    }

    var mask: [UInt8] { Array(maskBuffer) }

    func arrays() -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for (name, buffer) in buffers { out[name.rawValue] = Array(buffer) }
        return out
    }
}
