import Foundation
import Wire

/// Every plot's numbers as CSV or JSON, so a physicist can replot them in ROOT or Python.
public enum PlotData {
    public static func csv(_ p: SpectrumPlotRequest) -> String {
        var out = "# \(p.title.joined(separator: " | "))\n"
        out += "energy_GeV," + p.curves.map { $0.label.replacingOccurrences(of: ",", with: ";") }.joined(separator: ",") + "\n"
        guard let x = p.curves.first?.x else { return out }
        for i in x.indices {
            out += "\(x[i])," + p.curves.map { i < $0.y.count ? "\($0.y[i])" : "" }.joined(separator: ",") + "\n"
        }
        return out
    }

    public static func csv(_ m: MapPlotRequest) -> String {
        var out = "# \(m.title.joined(separator: " | "))\n# \(m.zTitle)\nx,y,value,surface\n"
        guard let g = m.grid else { return out }
        for j in 0..<Int(g.rows) {
            for i in 0..<Int(g.columns) {
                let k = j * Int(g.columns) + i
                let v = k < m.values.count && m.values[k].isFinite ? "\(m.values[k])" : ""
                let surface = k < m.mask.count ? "\(m.mask[k])" : ""
                out += "\(g.x0 + Double(i) * g.dx),\(g.y0 + Double(j) * g.dy),\(v),\(surface)\n"
            }
        }
        return out
    }

    public static func json(_ p: SpectrumPlotRequest) -> Data {
        let object: [String: Any] = ["title": p.title, "x_title": p.xTitle, "y_title": p.yTitle,
                                     "curves": p.curves.map { ["label": $0.label, "x": $0.x, "y": $0.y] }]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    public static func json(_ m: MapPlotRequest) -> Data {
        let g = m.grid ?? MapGridMessage()
        let object: [String: Any] = ["title": m.title, "x_title": m.xTitle, "y_title": m.yTitle, "z_title": m.zTitle,
                                     "grid": ["x0": g.x0, "y0": g.y0, "dx": g.dx, "dy": g.dy, "columns": g.columns, "rows": g.rows],
                                     "values": m.values.map { $0.isFinite ? $0 as Any : NSNull() },
                                     "mask": [UInt8](m.mask)]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
