import Foundation
import SpotMap
import Topography

/// The spot map's data download, one row per **placement** (not per picture pixel): where the radiator
/// goes (the offsets to set), where on the radiator the beam centre then sits (the PNG's axes), the
/// figure of merit and its jitter-robust value, the constraints and the goniometer to use there; the
/// best spots and the spread statement lead the file.
public enum SpotMapExport {
    public static func csv(_ map: MapResponse, view: RadiatorView) -> String {
        var out = "# spot map: \(map.fom) on \(map.radiator_name) (\(map.radiator_view) view), \(map.placements) placements, \(map.allowed_placements) allowed\n"
        if let s = PlotRequests.spreadStatement(map) { out += "# \(s)\n" }
        out += "# best spots (ranked by the worst value within ebeam_jitter = \(map.ebeam_jitter ?? 0) mm; rank shared = a tie within \((map.tie_fraction ?? 0) * 100) %):\n"
        for b in map.best {
            out += "#   rank \(b.rank ?? 0): rad_xoffset=\(b.rad_xoffset) rad_yoffset=\(b.rad_yoffset) rad_thetah=\(b.rad_thetah) rad_thetav=\(b.rad_thetav)"
                + " rad_thetaz=\(map.rad_thetaz ?? 0) value=\(b.value) robust_value=\(b.robust_value.map { "\($0)" } ?? "")"
                + " margin_mm=\(b.margin_mm.map { "\($0)" } ?? "none excluded")\n"
        }
        out += "rad_xoffset_mm,rad_yoffset_mm,radiator_x_mm,radiator_y_mm,value,robust_value,allowed,fraction_on_crystal,fraction_on_mount,rms_tilt_urad,rad_thetah_mrad,rad_thetav_mrad\n"
        let nx = map.x_offsets_mm.count
        let frame = RadiatorFrame(view: view, phiDegrees: map.rad_phideg)
        for k in map.values.indices {
            let x = map.x_offsets_mm[k % nx], y = map.y_offsets_mm[k / nx]
            let r = frame.radiatorPoint(x, y)
            let cells: [String] = [
                "\(x)", "\(y)", String(format: "%.6g", r.x), String(format: "%.6g", r.y),
                map.values[k].map { "\($0)" } ?? "", map.robust_values?[k].map { "\($0)" } ?? "",
                map.values[k] == nil ? "0" : "1", "\(map.fraction_on_crystal[k])", "\(map.fraction_on_mount[k])",
                map.rms_tilt_urad[k].map { "\($0)" } ?? "",
                map.rad_thetah_mrad.map { "\($0[k])" } ?? "", map.rad_thetav_mrad.map { "\($0[k])" } ?? "",
            ]
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    public static func json(_ map: MapResponse) -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var data = (try? e.encode(map)) ?? Data()
        if let s = PlotRequests.spreadStatement(map), var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            object["statement"] = s
            data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? data
        }
        return data
    }
}

/// Offsets ↔ the radiator point under the beam (README "Geometry"): r = c − R(−φ)·offset.
public struct RadiatorFrame: Sendable {
    let cx: Double, cy: Double, cs: Double, sn: Double
    public init(view: RadiatorView, phiDegrees: Double) {
        let c = view.grid.centre
        cx = c.x; cy = c.y
        cs = cos(phiDegrees * Double.pi / 180); sn = sin(phiDegrees * Double.pi / 180)
    }
    public func radiatorPoint(_ ox: Double, _ oy: Double) -> (x: Double, y: Double) {
        (cx - (cs * ox + sn * oy), cy - (-sn * ox + cs * oy))
    }
}
