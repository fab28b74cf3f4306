import Foundation
import Topography

/// What the build found for one scan: the numbers a physicist used to type by hand, and how well they fit.
public struct ScanReport: Sendable, Equatable, Codable {
    public var name: String
    public var rocking: String
    public var face: String
    public var complementary: Bool
    public var sample_rotation_deg: Double
    public var mirror: Bool
    public var pixel_x_mm: Double
    public var pixel_y_mm: Double
    /// Residual shift on the common grid, pixels and mm (front view, x right, y up).
    public var shift_x_px: Double
    public var shift_y_px: Double
    public var shift_x_mm: Double
    public var shift_y_mm: Double
    public var rotation_deg: Double
    public var scale: Double
    public var walk_mm_per_mrad: Double
    public var chi_deg: Double
    /// Standard error of χ (null when given or not fitted).
    public var chi_error_deg: Double?
    public var dispersion_urad_per_mm: Double
    public var dispersion_error_urad_per_mm: Double?
    /// Which of the numbers above were given (the rest were found): shift, rotation, scale, walk, chi, dispersion.
    public var given: [String]
    /// Correlation of the scan's outline image with the reference's after alignment (1 = identical).
    public var alignment_correlation: Double
    /// RMS difference of the two outline images after alignment (0 … 1).
    public var alignment_residual: Double
    public var hot_pixels: Int
    public var spikes: Int
    /// Fraction of the common crystal where this scan has a valid peak.
    public var valid_fraction: Double
    /// One line: the verdict and the evidence.
    public var verdict: String
}

/// One face's surface and how well the tilts are a gradient field.
public struct ViewReport: Sendable, Equatable, Codable {
    public var side: String
    /// RMS of the curl over the crystal, µrad/mm: what no surface explains.
    public var curl_rms_urad_per_mm: Double
    /// RMS of (surface gradient − measured tilt), µrad.
    public var residual_rms_urad: Double
    public var elevation_range_nm: Double
    public var elevation_rms_nm: Double
    public var tilt_rms_urad: Double
    public var solver_iterations: Int
    public var solver_relative_residual: Double
}

/// The whole build's evidence, as stored next to the radiator and shown on the page.
public struct BuildReport: Sendable, Equatable, Codable {
    public var radiator: String
    public var reference_scan: String
    public var grid_columns: Int
    public var grid_rows: Int
    public var pixel_mm: Double
    /// Where the radiator's centre (the crystal's bounding-box centre) lies in the reference scan's declared
    /// front frame (camera centre = 0), mm.
    public var centre_in_reference_x_mm: Double
    public var centre_in_reference_y_mm: Double
    /// The point every scan's residual rotation and scale turn about: the reference crystal's centroid in the
    /// reference's declared frame, mm.
    public var rotation_centre_x_mm: Double
    public var rotation_centre_y_mm: Double
    public var crystal_pixels: Int
    public var mount_pixels: Int
    public var mount_source: String
    public var filled_holes_pixels: Int
    public var filled_voids_pixels: Int
    public var excluded_voids_pixels: Int
    public var instrument_fit_residual_urad: Double
    public var curl_free_tilts: Bool
    public var scans: [ScanReport]
    public var views: [ViewReport]
    /// RMS of the front − back elevation difference (plane removed), nm; null with two scans.
    public var front_back_difference_rms_nm: Double?
    public var seconds: Double

    /// The provenance kept in the radiator's notes (≤ 2000 characters): the scans and every number found.
    public var provenanceNotes: String {
        var parts: [String] = []
        for s in scans {
            let name = s.name.count > 24 ? String(s.name.prefix(24)) : s.name
            let c = s.complementary ? ",\"c\":1" : ""
            parts.append("{\"n\":\"\(Self.jsonSafe(name))\",\"r\":\"\(s.rocking)\",\"f\":\"\(s.face)\"\(c),\"dx_px\":\(Self.fixed(s.shift_x_px, 3)),"
                + "\"dy_px\":\(Self.fixed(s.shift_y_px, 3)),\"rot_deg\":\(Self.fixed(s.rotation_deg, 4)),\"scale\":\(Self.fixed(s.scale, 5)),"
                + "\"walk\":\(Self.fixed(s.walk_mm_per_mrad, 4)),\"chi_deg\":\(Self.fixed(s.chi_deg, 4)),\"disp\":\(Self.fixed(s.dispersion_urad_per_mm, 3))}")
        }
        let curls = views.map { Self.fixed($0.curl_rms_urad_per_mm, 3) }.joined(separator: ",")
        let residuals = views.map { Self.fixed($0.residual_rms_urad, 3) }.joined(separator: ",")
        return "{\"rci_build\":1,\"scans\":[\(parts.joined(separator: ","))],\"curl_rms\":[\(curls)],\"residual_rms\":[\(residuals)],\"mount\":\"\(Self.jsonSafe(mount_source))\"}"
    }

    /// `value` with `digits` decimals (plain JSON number; non-finite as 0 so the notes stay valid JSON).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "0" }
        let p = pow(10.0, Double(digits))
        let scaled = (abs(value) * p).rounded()
        let whole = Int(scaled / p), fraction = Int(scaled) - whole * Int(p)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        let digitsText = String(fraction)
        return "\(sign)\(whole).\(String(repeating: "0", count: digits - digitsText.count))\(digitsText)"
    }

    static func jsonSafe(_ s: String) -> String {
        String(s.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 }.map(Character.init))
    }
}

/// A map for plots and downloads, on the radiator's front grid (row 0 at the bottom), NaN = no value.
public struct DiagnosticMap: Sendable, Equatable {
    public var name: String
    public var unit: String
    public var grid: TopographGrid
    public var values: [Float]
}

/// What a build returns: the radiator, its report, and the maps behind the report.
public struct RadiatorBuildResult: Sendable {
    public var radiator: Radiator
    public var report: BuildReport
    public var diagnostics: [DiagnosticMap]

    public func diagnostic(_ name: String) -> DiagnosticMap? { diagnostics.first { $0.name == name } }
}
