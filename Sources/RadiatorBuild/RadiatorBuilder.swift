import Foundation
import Topography

/// Reduced scans → a radiator, automatically and reproducibly: declared geometry, automatic alignment,
/// instrument corrections, crystal mask, surface, and the evidence for each step (README "Rocking-curve
/// imaging: maps to a radiator").
public enum RadiatorBuilder {
    public static func build(_ scans: [ScanMaps], options: BuildOptions) throws(BuildError) -> RadiatorBuildResult {
        let started = Date()
        let set = try ScanSet(scans.map(\.manifest))

        // 1. Each scan on its own camera grid: hot pixels, spikes, outline, alignment image.
        let preparedResults = ParallelJobs.map(scans.count) { i in Result { () throws(BuildError) in try PreparedScan(scans[i]) } }
        var preparedList: [PreparedScan] = []
        for r in preparedResults { preparedList.append(try r.get()) }
        let prepared = preparedList
        for p in prepared where p.validFraction < options.minimumValidFraction {
            throw BuildError("\(p.label): only \(Self.percent(p.validFraction)) of its \(p.crystalPixels) crystal pixels have a valid peak: at least \(Self.percent(options.minimumValidFraction)) are needed")
        }

        // 2. Alignment onto the reference's (front θH) grid.
        let reference = prepared[set.reference]
        let grid = WorkingGrid(reference: reference.geometry)
        guard grid.count <= 4 * Radiator.maxPixels else {
            throw BuildError("\(reference.label): \(grid.columns) × \(grid.rows) pixels is too large a grid: at most \(4 * Radiator.maxPixels)")
        }
        let referenceWalk = scans[set.reference].overrides.walkMillimetersPerMilliradian ?? 0
        let aligner = Aligner(reference: reference, walk: referenceWalk)
        let referenceResult = AlignmentResult(similarity: Similarity(centreX: aligner.centre.x, centreY: aligner.centre.y), walk: referenceWalk,
                                              correlation: 1, residualRMS: 0, iterations: 0)
        let alignments = ParallelJobs.map(scans.count) { i in
            i == set.reference ? referenceResult
                : aligner.align(prepared[i], overrides: scans[i].overrides, rotationSearchDegrees: options.rotationSearchDegrees)
        }
        for (i, a) in alignments.enumerated() where i != set.reference {
            guard a.correlation >= options.minimumCorrelation else {
                throw BuildError("\(prepared[i].label) does not match the reference \(reference.label): outline correlation \(Self.fixed(a.correlation, 2)) after alignment, at least \(Self.fixed(options.minimumCorrelation, 2)) needed (a different crystal, or a wrong face, rotation or mirror in its manifest)")
            }
            guard abs(a.similarity.scale - 1) <= options.maximumScaleError else {
                throw BuildError("\(prepared[i].label) appears \(Self.fixed(a.similarity.scale, 4)) × the reference's size: its pixel size (\(scans[i].manifest.pixelXMillimeters) × \(scans[i].manifest.pixelYMillimeters) mm) or the reference's must be wrong; alignment absorbs at most ±\(Self.percent(options.maximumScaleError))")
            }
        }
        let aligned = ParallelJobs.map(scans.count) { i in AlignedScan(prepared[i], alignment: alignments[i], grid: grid) }

        // 3. The crystal's outline and mount.
        let outline = CrystalOutline.find(scans: aligned, grid: grid, mountPolygon: options.mountPolygon, reference: reference.geometry)
        let outlinePixels = (0..<grid.count).filter { outline.crystal[$0] }
        guard outlinePixels.count >= PreparedScan.minimumCrystalPixels else {
            throw BuildError("the aligned scans agree on only \(outlinePixels.count) crystal pixels: at least \(PreparedScan.minimumCrystalPixels) are needed")
        }
        var validFractions = [Double](repeating: 0, count: scans.count)
        for (i, s) in aligned.enumerated() {
            validFractions[i] = Double(outlinePixels.filter { s.peak[$0].isFinite }.count) / Double(outlinePixels.count)
            guard validFractions[i] >= options.minimumValidFraction else {
                throw BuildError("\(prepared[i].label): only \(Self.percent(validFractions[i])) of the crystal has a valid peak in this scan: at least \(Self.percent(options.minimumValidFraction)) is needed")
            }
        }

        // 4. Instrument terms: χ (and dispersion) from the curl and the front/back redundancy.
        var start = InstrumentTerms(chiRadians: scans.map { ($0.overrides.chiDegrees ?? 0) * .pi / 180 },
                                    dispersion: scans.map { $0.overrides.dispersionMicroradiansPerMillimeter ?? 0 })
        var free: [InstrumentFit.Parameter] = []
        for view in set.views {
            for main in [view.h, view.v] where scans[main].overrides.chiDegrees == nil { free.append(.init(kind: .chi, scan: main)) }
        }
        if options.estimateDispersion {
            for i in scans.indices where scans[i].overrides.dispersionMicroradiansPerMillimeter == nil { free.append(.init(kind: .dispersion, scan: i)) }
        }
        for view in set.views {
            for (main, complement) in [(view.h, view.hComplement), (view.v, view.vComplement)] {
                if let c = complement { start.chiRadians[c] = start.chiRadians[main] }
            }
        }
        let fit = InstrumentFit(scans: aligned, views: set.views, mask: outline.crystal, grid: grid).fit(start: start, free: free)

        // 5. Tilts per view; small voids filled, large ones leave the crystal.
        var crystal = outline.crystal
        var viewTilts = set.views.map { TiltCombination.tilts($0, scans: aligned, terms: fit.terms) }
        var filledVoids = 0, excludedVoids = 0
        var voids = [Bool](repeating: false, count: grid.count)
        for t in viewTilts { for i in outlinePixels where !t.thetaH[i].isFinite || !t.thetaV[i].isFinite { voids[i] = true } }
        let (voidLabels, voidSizes) = MaskOperations.components(voids, width: grid.columns, height: grid.rows)
        let maxVoid = max(9, outlinePixels.count / 100)
        for i in outlinePixels where voids[i] {
            if voidSizes[Int(voidLabels[i])] > maxVoid { crystal[i] = false; excludedVoids += 1 } else { filledVoids += 1 }
        }
        for k in viewTilts.indices {
            viewTilts[k].thetaH = Inpainting.filled(FloatImage(width: grid.columns, height: grid.rows, pixels: viewTilts[k].thetaH), target: crystal).pixels
            viewTilts[k].thetaV = Inpainting.filled(FloatImage(width: grid.columns, height: grid.rows, pixels: viewTilts[k].thetaV), target: crystal).pixels
            for i in 0..<grid.count where crystal[i] && !(viewTilts[k].thetaH[i].isFinite && viewTilts[k].thetaV[i].isFinite) { crystal[i] = false; excludedVoids += 1 }
        }
        for k in viewTilts.indices {
            if let d = viewTilts[k].dSpacingH { viewTilts[k].dSpacingH = Inpainting.filled(FloatImage(width: grid.columns, height: grid.rows, pixels: d), target: crystal).pixels }
            if let d = viewTilts[k].dSpacingV { viewTilts[k].dSpacingV = Inpainting.filled(FloatImage(width: grid.columns, height: grid.rows, pixels: d), target: crystal).pixels }
        }
        let crystalMask = crystal
        let mount = (0..<grid.count).map { outline.mount[$0] && !crystalMask[$0] }
        // Relative tilts: each map's crystal mean removed.
        for k in viewTilts.indices {
            Self.removeMean(&viewTilts[k].thetaH, crystalMask)
            Self.removeMean(&viewTilts[k].thetaV, crystalMask)
            if viewTilts[k].dSpacingH != nil { Self.removeMean(&viewTilts[k].dSpacingH!, crystalMask) }
            if viewTilts[k].dSpacingV != nil { Self.removeMean(&viewTilts[k].dSpacingV!, crystalMask) }
        }

        // 6. Surfaces (both faces at once).
        let frozenTilts = viewTilts
        let surfaces = ParallelJobs.map(set.views.count) { k in
            SurfaceAnalysis(thetaH: frozenTilts[k].thetaH, thetaV: frozenTilts[k].thetaV, mask: crystalMask, grid: grid)
        }

        // 7. The radiator, centred on the crystal, and the report.
        let frame = RadiatorFrame(crystal: crystalMask, mount: mount, grid: grid)
        var views: [RadiatorView] = []
        for (k, view) in set.views.enumerated() {
            var h = options.curlFreeTilts ? surfaces[k].surfaceThetaH : viewTilts[k].thetaH
            var v = options.curlFreeTilts ? surfaces[k].surfaceThetaV : viewTilts[k].thetaV
            if options.curlFreeTilts { Self.removeMean(&h, crystalMask); Self.removeMean(&v, crystalMask) }
            let front = RadiatorView(side: .front, grid: frame.topographGrid, thetaHMicroradians: frame.crop(h, fill: 0).map { $0.isFinite ? $0 : 0 },
                                     thetaVMicroradians: frame.crop(v, fill: 0).map { $0.isFinite ? $0 : 0 }, mask: frame.mask)
            views.append(view.side == .front ? front : front.mirrored())
        }
        let radiator = Radiator(name: options.name, crystal: options.crystal, thicknessMicrons: options.thicknessMicrons, notes: "",
                                views: views, mountMaterial: options.mountMaterial, mountThicknessMillimeters: options.mountThicknessMillimeters)

        var scanReports: [ScanReport] = []
        for (i, s) in aligned.enumerated() {
            let main = set.views.flatMap { [($0.h, $0.h), ($0.hComplement ?? -1, $0.h), ($0.v, $0.v), ($0.vComplement ?? -1, $0.v)] }.first { $0.0 == i }?.1 ?? i
            let viewIndex = set.views.firstIndex { [$0.h, $0.v, $0.hComplement, $0.vComplement].contains(i) } ?? 0
            scanReports.append(Self.scanReport(s, overrides: scans[i].overrides, isReference: i == set.reference, grid: grid,
                                               chi: fit.terms.chiRadians[main], chiError: fit.chiError[main],
                                               dispersion: fit.terms.dispersion[i], dispersionError: fit.dispersionError[i],
                                               validFraction: validFractions[i], surface: surfaces[viewIndex]))
        }
        let viewReports = set.views.enumerated().map { k, view in
            let z = surfaces[k].elevation.filter(\.isFinite)
            return ViewReport(side: view.side.rawValue, curl_rms_urad_per_mm: surfaces[k].curlRMS, residual_rms_urad: surfaces[k].residualRMS,
                              elevation_range_nm: Double((z.max() ?? 0) - (z.min() ?? 0)), elevation_rms_nm: SurfaceAnalysis.rms(z),
                              tilt_rms_urad: SurfaceAnalysis.rms(frozenTilts[k].thetaH.indices.filter { crystalMask[$0] }.map {
                                  (frozenTilts[k].thetaH[$0] * frozenTilts[k].thetaH[$0] + frozenTilts[k].thetaV[$0] * frozenTilts[k].thetaV[$0]).squareRoot()
                              }),
                              solver_iterations: surfaces[k].iterations, solver_relative_residual: surfaces[k].relativeResidual)
        }
        var difference: [Float]?
        if surfaces.count == 2 {
            var d = (0..<grid.count).map { crystalMask[$0] ? Double(surfaces[0].elevation[$0] - surfaces[1].elevation[$0]) : .nan }
            SurfaceAnalysis.removePlane(&d, mask: crystalMask, grid: grid)
            difference = d.map { Float($0) }
        }
        let centre = frame.centreInWorkingGrid
        var report = BuildReport(radiator: options.name, reference_scan: scans[set.reference].manifest.name,
                                 grid_columns: frame.topographGrid.columns, grid_rows: frame.topographGrid.rows, pixel_mm: grid.pixel,
                                 centre_in_reference_x_mm: centre.x, centre_in_reference_y_mm: centre.y,
                                 rotation_centre_x_mm: aligner.centre.x, rotation_centre_y_mm: aligner.centre.y,
                                 crystal_pixels: frame.mask.filter { $0 == .crystal }.count, mount_pixels: frame.mask.filter { $0 == .mount }.count,
                                 mount_source: outline.mountSource, filled_holes_pixels: outline.filledHoles, filled_voids_pixels: filledVoids,
                                 excluded_voids_pixels: excludedVoids, instrument_fit_residual_urad: fit.residualRMS, curl_free_tilts: options.curlFreeTilts,
                                 scans: scanReports, views: viewReports,
                                 front_back_difference_rms_nm: difference.map { SurfaceAnalysis.rms($0) }, seconds: 0)
        var result = radiator
        result.notes = report.provenanceNotes
        do { try result.validate() } catch { throw BuildError("the built radiator is not valid: \(error.message)") }

        var maps: [DiagnosticMap] = []
        func add(_ name: String, _ unit: String, _ values: [Float]) {
            maps.append(DiagnosticMap(name: name, unit: unit, grid: frame.topographGrid, values: frame.crop(values, fill: .nan)))
        }
        for (i, s) in aligned.enumerated() {
            var peak = (0..<grid.count).map { s.peak[$0] - Float(fit.terms.dispersion[i]) * s.cameraU[$0] }
            Self.removeMean(&peak, crystalMask)
            // Named by role (unique by construction: ScanSet), not by the scans' own names (which may repeat).
            let role = "\(s.manifest.face.rawValue) \(s.manifest.rocking.rawValue)\(s.manifest.complementary ? " complementary" : "")"
            add("peak \(role)", "µrad", peak)
            add("intensity \(role)", "crystal median", s.intensity)
        }
        for (k, view) in set.views.enumerated() {
            let side = view.side.rawValue
            add("thetah \(side)", "µrad", frozenTilts[k].thetaH.indices.map { crystalMask[$0] ? frozenTilts[k].thetaH[$0] : .nan })
            add("thetav \(side)", "µrad", frozenTilts[k].thetaV.indices.map { crystalMask[$0] ? frozenTilts[k].thetaV[$0] : .nan })
            add("elevation \(side)", "nm", surfaces[k].elevation)
            add("curl \(side)", "µrad/mm", surfaces[k].curl)
            add("residual \(side)", "µrad", surfaces[k].residual)
            if let d = frozenTilts[k].dSpacingH { add("d-spacing thetah \(side)", "µrad", d.indices.map { crystalMask[$0] ? d[$0] : .nan }) }
            if let d = frozenTilts[k].dSpacingV { add("d-spacing thetav \(side)", "µrad", d.indices.map { crystalMask[$0] ? d[$0] : .nan }) }
        }
        if let d = difference { add("front-back elevation difference", "nm", d) }
        maps.append(DiagnosticMap(name: "mask", unit: "0 nothing, 1 crystal, 2 mount", grid: frame.topographGrid, values: frame.mask.map { Float($0.rawValue) }))
        report.seconds = Date().timeIntervalSince(started)
        return RadiatorBuildResult(radiator: result, report: report, diagnostics: maps)
    }

    static func scanReport(_ s: AlignedScan, overrides o: ScanOverrides, isReference: Bool, grid: WorkingGrid, chi: Double, chiError: Double,
                           dispersion: Double, dispersionError: Double, validFraction: Double, surface: SurfaceAnalysis) -> ScanReport {
        let m = s.manifest, a = s.alignment
        var given: [String] = []
        if isReference { given += ["shift", "rotation", "scale"] } else {
            if o.shiftXMillimeters != nil || o.shiftYMillimeters != nil { given.append("shift") }
            if o.rotationDegrees != nil { given.append("rotation") }
            if o.scale != nil { given.append("scale") }
        }
        if o.walkMillimetersPerMilliradian != nil || isReference { given.append("walk") }
        if o.chiDegrees != nil { given.append("chi") }
        if o.dispersionMicroradiansPerMillimeter != nil || !dispersionError.isFinite { given.append("dispersion") }
        let verdictWord = a.correlation >= 0.97 && validFraction >= 0.9 ? "good" : (a.correlation >= 0.9 && validFraction >= 0.7 ? "usable" : "doubtful")
        let verdict = "\(verdictWord): \(isReference ? "reference" : "aligned to \(fixed(a.similarity.shiftX / grid.pixel, 2)), \(fixed(a.similarity.shiftY / grid.pixel, 2)) px, \(fixed(a.similarity.rotation * 180 / .pi, 3))°, scale \(fixed(a.similarity.scale, 4)), correlation \(fixed(a.correlation, 3)), outline residual \(fixed(a.residualRMS, 3))"); "
            + "χ \(fixed(chi * 180 / .pi, 3))°; curl rms \(fixed(surface.curlRMS, 2)) µrad/mm; residual rms \(fixed(surface.residualRMS, 2)) µrad; \(percent(validFraction)) valid"
            + chiWarning(chiError)
        return ScanReport(name: m.name, rocking: m.rocking.rawValue, face: m.face.rawValue, complementary: m.complementary,
                          sample_rotation_deg: m.sampleRotationDegrees, mirror: m.mirror, pixel_x_mm: m.pixelXMillimeters, pixel_y_mm: m.pixelYMillimeters,
                          shift_x_px: a.similarity.shiftX / grid.pixel, shift_y_px: a.similarity.shiftY / grid.pixel,
                          shift_x_mm: a.similarity.shiftX, shift_y_mm: a.similarity.shiftY, rotation_deg: a.similarity.rotation * 180 / .pi,
                          scale: a.similarity.scale, walk_mm_per_mrad: a.walk, chi_deg: chi * 180 / .pi,
                          chi_error_deg: chiError.isFinite ? chiError * 180 / .pi : nil, dispersion_urad_per_mm: dispersion,
                          dispersion_error_urad_per_mm: dispersionError.isFinite ? dispersionError : nil, given: given,
                          alignment_correlation: a.correlation, alignment_residual: a.residualRMS, hot_pixels: s.prepared.hotPixels,
                          spikes: s.prepared.spikes, valid_fraction: validFraction, verdict: verdict)
    }

    /// Beyond this reported error (0.2°: on tilts of ±50 µrad it moves them by 0.17 µrad, the build's tilt accuracy)
    /// the verdict says χ is poorly determined.
    static let poorChiDegrees = 0.2

    /// The verdict's χ warning: empty when χ was given or is well determined.
    static func chiWarning(_ chiError: Double) -> String {
        let degrees = chiError * 180 / .pi
        guard chiError.isFinite, degrees > poorChiDegrees else { return "" }
        return "; χ poorly determined (± \(fixed(degrees, 2))°: the crystal's own curl, which no χ removes): give χ with --overrides"
    }

    static func removeMean(_ values: inout [Float], _ mask: [Bool]) {
        var s = 0.0, k = 0.0
        for i in values.indices where mask[i] && values[i].isFinite { s += Double(values[i]); k += 1 }
        guard k > 0 else { return }
        let mean = Float(s / k)
        for i in values.indices where values[i].isFinite { values[i] -= mean }
    }

    static func fixed(_ v: Double, _ digits: Int) -> String { BuildReport.fixed(v, digits) }
    static func percent(_ v: Double) -> String { "\(BuildReport.fixed(v * 100, 1)) %" }
}
