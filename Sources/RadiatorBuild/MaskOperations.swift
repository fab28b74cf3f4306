/// Binary-image tools for outlines: thresholds, connected components, holes, dilation. Images are
/// row-major `[Bool]` of `width` × `height`; 4-connectivity for the crystal, 8 for the background,
/// so a diagonal gap never splits a crystal nor joins two holes.
enum MaskOperations {
    /// Otsu's threshold of the finite values: the cut maximising the between-class variance of a 256-bin
    /// histogram spanning the 0.5 – 99.5 % quantiles (hot pixels do not stretch it).
    static func otsuThreshold(_ values: [Float]) -> Float? {
        var finite = values.filter(\.isFinite)
        guard finite.count >= 16 else { return nil }
        let lo = select(&finite, finite.count / 200), hi = select(&finite, finite.count - 1 - finite.count / 200)
        guard hi > lo else { return nil }
        let bins = 256
        var histogram = [Double](repeating: 0, count: bins)
        let scale = Float(bins) / (hi - lo)
        for v in finite { histogram[min(bins - 1, max(0, Int((v - lo) * scale)))] += 1 }
        let total = histogram.reduce(0, +)
        let sumAll = histogram.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element }
        var weightBelow = 0.0, sumBelow = 0.0, best = -1.0, cut = 0
        for k in 0..<(bins - 1) {
            weightBelow += histogram[k]; sumBelow += Double(k) * histogram[k]
            let weightAbove = total - weightBelow
            guard weightBelow > 0, weightAbove > 0 else { continue }
            let meanBelow = sumBelow / weightBelow, meanAbove = (sumAll - sumBelow) / weightAbove
            let between = weightBelow * weightAbove * (meanBelow - meanAbove) * (meanBelow - meanAbove)
            if between > best { best = between; cut = k }
        }
        return lo + Float(cut + 1) / scale
    }

    /// Component label per pixel (−1 outside `mask`) and each component's size.
    static func components(_ mask: [Bool], width: Int, height: Int, diagonal: Bool = false) -> (labels: [Int32], sizes: [Int]) {
        var labels = [Int32](repeating: -1, count: mask.count)
        var sizes: [Int] = []
        var stack: [Int] = []
        for start in mask.indices where mask[start] && labels[start] < 0 {
            let label = Int32(sizes.count)
            var size = 0
            labels[start] = label
            stack.append(start)
            while let i = stack.popLast() {
                size += 1
                let x = i % width, y = i / width
                for dy in -1...1 {
                    for dx in -1...1 where (dx != 0 || dy != 0) && (diagonal || dx == 0 || dy == 0) {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                        let j = ny * width + nx
                        if mask[j] && labels[j] < 0 { labels[j] = label; stack.append(j) }
                    }
                }
            }
            sizes.append(size)
        }
        return (labels, sizes)
    }

    /// Keep the components at least `fraction` of the largest one's size (a crystal in pieces keeps its
    /// pieces, specks go). The largest always survives, however small a part of the frame it is.
    static func keepLargeComponents(_ mask: [Bool], width: Int, height: Int, fraction: Double) -> [Bool] {
        let (labels, sizes) = components(mask, width: width, height: height)
        guard let largest = sizes.max() else { return mask }
        let keep = sizes.map { Double($0) >= fraction * Double(largest) }
        return labels.map { $0 >= 0 && keep[Int($0)] }
    }

    /// Fill the holes (background regions not touching the frame's edge) of at most `maxHolePixels`;
    /// larger holes stay: they are part of the real outline. Returns the mask and the filled pixels.
    static func fillHoles(_ mask: [Bool], width: Int, height: Int, maxHolePixels: Int) -> (mask: [Bool], filled: Int) {
        let background = mask.map { !$0 }
        let (labels, sizes) = components(background, width: width, height: height, diagonal: true)
        var touchesEdge = [Bool](repeating: false, count: sizes.count)
        for x in 0..<width {
            for y in [0, height - 1] where labels[y * width + x] >= 0 { touchesEdge[Int(labels[y * width + x])] = true }
        }
        for y in 0..<height {
            for x in [0, width - 1] where labels[y * width + x] >= 0 { touchesEdge[Int(labels[y * width + x])] = true }
        }
        var out = mask, filled = 0
        for i in out.indices where labels[i] >= 0 {
            let l = Int(labels[i])
            if !touchesEdge[l] && sizes[l] <= maxHolePixels { out[i] = true; filled += 1 }
        }
        return (out, filled)
    }

    /// Pixels within `radius` (chessboard distance) of the mask.
    static func dilated(_ mask: [Bool], width: Int, height: Int, radius: Int) -> [Bool] {
        guard radius > 0 else { return mask }
        var rowsDone = mask
        for y in 0..<height {
            var lastSeen = -Int.max / 2
            for x in 0..<width {
                if mask[y * width + x] { lastSeen = x }
                if x - lastSeen <= radius { rowsDone[y * width + x] = true }
            }
            lastSeen = Int.max / 2
            for x in stride(from: width - 1, through: 0, by: -1) {
                if mask[y * width + x] { lastSeen = x }
                if lastSeen - x <= radius { rowsDone[y * width + x] = true }
            }
        }
        var out = rowsDone
        for x in 0..<width {
            var lastSeen = -Int.max / 2
            for y in 0..<height {
                if rowsDone[y * width + x] { lastSeen = y }
                if y - lastSeen <= radius { out[y * width + x] = true }
            }
            lastSeen = Int.max / 2
            for y in stride(from: height - 1, through: 0, by: -1) {
                if rowsDone[y * width + x] { lastSeen = y }
                if lastSeen - y <= radius { out[y * width + x] = true }
            }
        }
        return out
    }

    static func eroded(_ mask: [Bool], width: Int, height: Int, radius: Int) -> [Bool] {
        dilated(mask.map { !$0 }, width: width, height: height, radius: radius).map { !$0 }
    }

    /// Median and maximum of the finite values among every pixel's 8 neighbours (NaN where none), in one pass
    /// over raw buffers: this runs on every pixel of every map of every scan.
    static func neighbourStatistics(_ values: [Float], width: Int, height: Int, only: [Bool]? = nil) -> (median: [Float], maximum: [Float]) {
        var median = [Float](repeating: .nan, count: values.count), maximum = median
        values.withUnsafeBufferPointer { v in
            median.withUnsafeMutableBufferPointer { med in
                maximum.withUnsafeMutableBufferPointer { mx in
                    var b: (Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0)
                    withUnsafeMutableBytes(of: &b) { raw in
                        let buffer = raw.bindMemory(to: Float.self)
                        for y in 0..<height {
                            for x in 0..<width {
                                if let only, !only[y * width + x] { continue }
                                var count = 0
                                var best = -Float.infinity
                                for ny in max(y - 1, 0)...min(y + 1, height - 1) {
                                    for nx in max(x - 1, 0)...min(x + 1, width - 1) where nx != x || ny != y {
                                        let value = v[ny * width + nx]
                                        guard value.isFinite else { continue }
                                        best = max(best, value)
                                        var k = count
                                        while k > 0 && buffer[k - 1] > value { buffer[k] = buffer[k - 1]; k -= 1 }
                                        buffer[k] = value
                                        count += 1
                                    }
                                }
                                guard count > 0 else { continue }
                                let i = y * width + x
                                mx[i] = best
                                med[i] = count % 2 == 1 ? buffer[count / 2] : (buffer[count / 2 - 1] + buffer[count / 2]) / 2
                            }
                        }
                    }
                }
            }
        }
        return (median, maximum)
    }

    /// Robust spread: 1.4826 × the median absolute deviation from the median (σ for Gaussian noise).
    static func robustSigma(_ values: [Float]) -> Float {
        let finite = values.filter(\.isFinite)
        guard finite.count >= 3 else { return 0 }
        let m = median(finite)
        return 1.4826 * median(finite.map { abs($0 - m) })
    }

    static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return .nan }
        var copy = values
        let upper = select(&copy, values.count / 2)
        guard values.count % 2 == 0 else { return upper }
        // The lower middle is the largest of what quickselect left below the upper one.
        var lower = -Float.infinity
        for k in 0..<(values.count / 2) { lower = max(lower, copy[k]) }
        return (lower + upper) / 2
    }

    /// The k-th smallest value (0-based), by quickselect with median-of-three pivots: O(n), where sorting the
    /// 722,500 pixels of an 850 × 850 map several times per scan cost seconds. Reorders `values`.
    static func select(_ values: inout [Float], _ k: Int) -> Float {
        var lo = 0, hi = values.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            let pivot = Swift.max(Swift.min(values[lo], values[mid]), Swift.min(Swift.max(values[lo], values[mid]), values[hi]))
            var i = lo, j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return values[k] }
        }
        return values[k]
    }

    /// Whether (x, y) lies inside the polygon (even–odd rule).
    static func contains(_ polygon: [(x: Double, y: Double)], _ x: Double, _ y: Double) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in polygon.indices {
            let a = polygon[i], b = polygon[j]
            if (a.y > y) != (b.y > y), x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }
}
