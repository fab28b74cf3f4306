import Foundation

/// Wall-clock timing with medians and 90th percentiles: machines here are shared and noisy.
struct Timing {
    let samples: [Double]  // seconds

    static func measure(repetitions: Int, warmup: Int = 2, _ body: () -> Void) -> Timing {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return Timing(samples: samples.sorted())
    }

    var median: Double { samples[samples.count / 2] }
    var p90: Double { samples[min(samples.count - 1, Int(Double(samples.count) * 0.9))] }
}

/// A plain-text table: one row per measurement.
struct BenchTable {
    var rows: [[String]] = []
    let header: [String]

    init(_ header: String...) { self.header = header }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max()! }
        func line(_ r: [String]) -> String {
            r.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-")] + rows.map(line))
            .joined(separator: "\n")
    }
}

func ms(_ s: Double) -> String { String(format: "%.3f ms", s * 1e3) }
