/// Up to six numbers on the stack: a Jacobian row or a right-hand side.
struct FixedVector {
    var v: (Double, Double, Double, Double, Double, Double) = (0, 0, 0, 0, 0, 0)

    init() {}
    init(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double) { v = (a, b, c, d, e, f) }

    static func unit(_ i: Int) -> FixedVector {
        var u = FixedVector()
        u[i] = 1
        return u
    }

    subscript(i: Int) -> Double {
        get {
            switch i {
            case 0: v.0
            case 1: v.1
            case 2: v.2
            case 3: v.3
            case 4: v.4
            default: v.5
            }
        }
        set {
            switch i {
            case 0: v.0 = newValue
            case 1: v.1 = newValue
            case 2: v.2 = newValue
            case 3: v.3 = newValue
            case 4: v.4 = newValue
            default: v.5 = newValue
            }
        }
    }

    mutating func add(_ other: FixedVector, scale: Double, count: Int) {
        for i in 0..<count { self[i] += other[i] * scale }
    }
}

/// A symmetric matrix of up to 6 × 6 on the stack: the normal equations of a fit.
struct FixedMatrix {
    var rows = (FixedVector(), FixedVector(), FixedVector(), FixedVector(), FixedVector(), FixedVector())

    subscript(i: Int, j: Int) -> Double {
        get {
            switch i {
            case 0: rows.0[j]
            case 1: rows.1[j]
            case 2: rows.2[j]
            case 3: rows.3[j]
            case 4: rows.4[j]
            default: rows.5[j]
            }
        }
        set {
            switch i {
            case 0: rows.0[j] = newValue
            case 1: rows.1[j] = newValue
            case 2: rows.2[j] = newValue
            case 3: rows.3[j] = newValue
            case 4: rows.4[j] = newValue
            default: rows.5[j] = newValue
            }
        }
    }

    /// Adds weight·j·jᵀ.
    mutating func addOuter(_ j: FixedVector, weight: Double, count: Int) {
        for r in 0..<count {
            let s = j[r] * weight
            for c in 0..<count { self[r, c] += s * j[c] }
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
