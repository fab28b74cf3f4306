/// Up to six numbers on the stack: a Jacobian row or a right-hand side.
struct FixedVector {
    var v = InlineArray<6, Double>(repeating: 0)

    init() {}
    init(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double) {
        v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f
    }

    static func unit(_ i: Int) -> FixedVector {
        var u = FixedVector()
        u[i] = 1
        return u
    }

    @inline(__always)
    subscript(i: Int) -> Double {
        get { v[i] }
        set { v[i] = newValue }
    }

    @inline(__always)
    mutating func add(_ other: FixedVector, scale: Double, count: Int) {
        for i in 0..<count { v[i] += other.v[i] * scale }
    }
}

/// A symmetric matrix of up to 6 × 6 on the stack: the normal equations of a fit.
struct FixedMatrix {
    var m = InlineArray<36, Double>(repeating: 0)

    @inline(__always)
    subscript(i: Int, j: Int) -> Double {
        get { m[i * 6 + j] }
        set { m[i * 6 + j] = newValue }
    }

    /// Adds weight·j·jᵀ to the upper triangle (`symmetrize` copies it down once accumulated).
    @inline(__always)
    mutating func addOuter(_ j: FixedVector, weight: Double, count: Int) {
        for r in 0..<count {
            let s = j.v[r] * weight
            for c in r..<count { m[r * 6 + c] += s * j.v[c] }
        }
    }

    mutating func symmetrize(count: Int) {
        for r in 0..<count {
            for c in 0..<r { m[r * 6 + c] = m[c * 6 + r] }
        }
    }

    /// Solves self·x = b by Gaussian elimination with partial pivoting; nil when singular.
    func solve(_ b: FixedVector, count: Int) -> FixedVector? {
        var a = self, x = b
        for column in 0..<count {
            var pivot = column
            for r in (column + 1)..<max(count, column + 1) where abs(a[r, column]) > abs(a[pivot, column]) { pivot = r }
            guard abs(a[pivot, column]) > 1e-300, a[pivot, column].isFinite else { return nil }
            if pivot != column {
                for c in 0..<count { let t = a[column, c]; a[column, c] = a[pivot, c]; a[pivot, c] = t }
                let t = x[column]; x[column] = x[pivot]; x[pivot] = t
            }
            for r in (column + 1)..<max(count, column + 1) {
                let factor = a[r, column] / a[column, column]
                guard factor != 0 else { continue }
                for c in column..<count { a[r, c] -= factor * a[column, c] }
                x[r] -= factor * x[column]
            }
        }
        for r in stride(from: count - 1, through: 0, by: -1) {
            var s = x[r]
            for c in (r + 1)..<max(count, r + 1) { s -= a[r, c] * x[c] }
            x[r] = s / a[r, r]
        }
        for i in 0..<count where !x[i].isFinite { return nil }
        return x
    }
}
