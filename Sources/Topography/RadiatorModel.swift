import Physics

/// What is under a point of a topograph: crystal, its mount, or nothing.
public enum SurfaceKind: UInt8, Sendable, Codable, CaseIterable {
    case nothing = 0
    case crystal = 1
    case mount = 2
}

/// A regular grid of pixels in the radiator's own frame, beam view: x to the
/// right, y up, mm. Pixel (column i, row j) has its centre at
/// (originX + i·pixel, originY + j·pixel); row 0 is the bottom row.
public struct TopographGrid: Sendable, Hashable, Codable {
    public var originXMillimeters: Double
    public var originYMillimeters: Double
    public var pixelMillimeters: Double
    public var columns: Int
    public var rows: Int

    public init(originXMillimeters: Double, originYMillimeters: Double, pixelMillimeters: Double, columns: Int, rows: Int) {
        self.originXMillimeters = originXMillimeters
        self.originYMillimeters = originYMillimeters
        self.pixelMillimeters = pixelMillimeters
        self.columns = columns
        self.rows = rows
    }

    public var count: Int { columns * rows }
    public func index(column: Int, row: Int) -> Int { row * columns + column }
    public func x(column: Int) -> Double { originXMillimeters + Double(column) * pixelMillimeters }
    public func y(row: Int) -> Double { originYMillimeters + Double(row) * pixelMillimeters }
    /// Width and height of the pixel area, mm.
    public var widthMillimeters: Double { Double(columns) * pixelMillimeters }
    public var heightMillimeters: Double { Double(rows) * pixelMillimeters }
    /// The centre of the pixel area: the radiator centre that shifts and rotations refer to.
    public var centre: (x: Double, y: Double) {
        (originXMillimeters + Double(columns - 1) * pixelMillimeters / 2, originYMillimeters + Double(rows - 1) * pixelMillimeters / 2)
    }
}

/// Which side of the radiator faces upstream.
public enum ViewSide: String, Sendable, Codable, CaseIterable {
    case front, back
}

/// One side of a radiator as the topograph measured it: tilt maps (µrad) and the explicit mask.
public struct RadiatorView: Sendable, Equatable {
    public var side: ViewSide
    public var grid: TopographGrid
    /// Lattice tilt about x (adds to rad_thetah), µrad, row-major.
    public var thetaHMicroradians: [Float]
    /// Lattice tilt about y (adds to rad_thetav), µrad, row-major.
    public var thetaVMicroradians: [Float]
    public var mask: [SurfaceKind]

    public init(side: ViewSide, grid: TopographGrid, thetaHMicroradians: [Float], thetaVMicroradians: [Float], mask: [SurfaceKind]) {
        self.side = side
        self.grid = grid
        self.thetaHMicroradians = thetaHMicroradians
        self.thetaVMicroradians = thetaVMicroradians
        self.mask = mask
    }

    /// The same crystal seen from the other side. Turning the plate over about the
    /// vertical axis maps x → −x (columns reverse), keeps y, and, since a tilt is an
    /// axial vector, negates the tilt about x (θH) and keeps the tilt about y (θV).
    public func mirrored() -> RadiatorView {
        var h = thetaHMicroradians, v = thetaVMicroradians, m = mask
        let g = grid
        for row in 0..<g.rows {
            for column in 0..<g.columns {
                let from = g.index(column: column, row: row), to = g.index(column: g.columns - 1 - column, row: row)
                h[to] = -thetaHMicroradians[from]
                v[to] = thetaVMicroradians[from]
                m[to] = mask[from]
            }
        }
        var mg = g
        mg.originXMillimeters = -(g.originXMillimeters + Double(g.columns - 1) * g.pixelMillimeters)
        return RadiatorView(side: side == .front ? .back : .front, grid: mg, thetaHMicroradians: h, thetaVMicroradians: v, mask: m)
    }

    /// Tilt statistics over the crystal pixels, µrad.
    public var crystalStatistics: (meanH: Double, meanV: Double, rms: Double, crystalPixels: Int) {
        var n = 0, sh = 0.0, sv = 0.0
        for i in mask.indices where mask[i] == .crystal {
            n += 1; sh += Double(thetaHMicroradians[i]); sv += Double(thetaVMicroradians[i])
        }
        guard n > 0 else { return (0, 0, 0, 0) }
        let mh = sh / Double(n), mv = sv / Double(n)
        var ss = 0.0
        for i in mask.indices where mask[i] == .crystal {
            let dh = Double(thetaHMicroradians[i]) - mh, dv = Double(thetaVMicroradians[i]) - mv
            ss += dh * dh + dv * dv
        }
        return (mh, mv, (ss / Double(n)).squareRoot(), n)
    }
}

/// A diamond radiator: its identity, its mount and one topograph per side.
public struct Radiator: Sendable, Equatable {
    public var name: String
    public var crystal: String
    public var thicknessMicrons: Double
    public var notes: String
    public var views: [RadiatorView]
    /// The holder the crystal is glued to (mask value `mount`): its material and thickness along
    /// the beam. The beam that hits it makes amorphous bremsstrahlung (0 mm: it does not radiate).
    public var mountMaterial: String
    public var mountThicknessMillimeters: Double

    /// Mount materials the physics knows (atomic number, weight, density in the Physics module).
    public static let mountMaterials = MountMaterial.all.map(\.name)
    /// Every radiator without its own mount fields (the built-ins, files and imports from before):
    /// the physics' default holder, 1 mm of aluminium.
    public static let defaultMountMaterial = MountMaterial.defaultMaterial.name
    public static let defaultMountThicknessMillimeters = MountMaterial.defaultThicknessMillimeters
    public static let maxMountThicknessMillimeters = 20.0

    public init(name: String, crystal: String = "diamond", thicknessMicrons: Double, notes: String = "", views: [RadiatorView],
                mountMaterial: String = Radiator.defaultMountMaterial,
                mountThicknessMillimeters: Double = Radiator.defaultMountThicknessMillimeters) {
        self.name = name
        self.crystal = crystal
        self.thicknessMicrons = thicknessMicrons
        self.notes = notes
        self.views = views
        self.mountMaterial = mountMaterial
        self.mountThicknessMillimeters = mountThicknessMillimeters
    }

    public func view(_ side: ViewSide) -> RadiatorView? { views.first { $0.side == side } }
}
