import Foundation
import RockingCurve
import RockingScan
import RockingScanSimulation
import Topography

/// Rocking-curve reduction on a beamline-sized scan: 2048 × 2048 pixels × 200 uint16 TIFF images
/// (1.6 GB), simulated once and kept in /tmp (page-cached after the first read). Run with
/// `scripts/bench rci`; `SPOTFINDER_RCI_SIZE=1024` for a quicker, smaller scan.
enum RCIBench {
    static func run(into table: inout BenchTable) throws {
        let side = Int(ProcessInfo.processInfo.environment["SPOTFINDER_RCI_SIZE"] ?? "2048") ?? 2048
        let frames = 200
        let folder = "/tmp/spotfinder-bench-rci-\(side)x\(side)x\(frames)"
        let marker = "\(folder)/.complete"
        if !FileManager.default.fileExists(atPath: marker) {
            let start = Date()
            var spec = SimulatedScanSpec()
            spec.width = side; spec.height = side; spec.frameCount = frames
            spec.startMicroradians = -Double(frames - 1) * 2.4 / 2
            let radiator = SyntheticRadiators.make(SyntheticRadiators.recipes[2])
            let grid = radiator.views[0].grid
            spec.pixelXMillimeters = max(grid.widthMillimeters, grid.heightMillimeters) / Double(side)
            spec.pixelYMillimeters = spec.pixelXMillimeters
            try SimulatedScanWriter.write(try ScanSimulation(radiator: radiator, spec: spec), to: folder)
            _ = FileManager.default.createFile(atPath: marker, contents: Data())
            table.add("rci", "simulate \(side)² × \(frames) scan (once, cached)", String(format: "%.1f s", Date().timeIntervalSince(start)), "-", folder)
        }
        let input = try ScanInput.open(directory: folder)
        let bytes = Double(input.height * input.bytesPerBandRow)
        let gb = bytes / 1e9

        // The memory-bandwidth yardstick: read() every image file whole into one buffer, nothing else.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64 << 20, alignment: 64)
        defer { buffer.deallocate() }
        let plain = Timing.measure(repetitions: 3, warmup: 1) {
            for source in input.imageSources {
                let fd = open(source.path, O_RDONLY)
                while read(fd, buffer, 64 << 20) > 0 {}
                close(fd)
            }
        }
        table.add("rci", "read() of the \(frames) files (page-cached)", sec(plain.median), sec(plain.p90), String(format: "%.2f GB, %.1f GB/s", gb, gb / plain.median))

        // Band reads through libtiff only (what the reduction reads).
        let bandRows = max(1, (32 << 20) / input.bytesPerBandRow)
        let band = UnsafeMutableRawBufferPointer.allocate(byteCount: bandRows * input.bytesPerBandRow, alignment: 16)
        defer { band.deallocate() }
        let bandRead = Timing.measure(repetitions: 3, warmup: 0) {
            for top in stride(from: 0, to: input.height, by: bandRows) {
                try? input.readBand(rows: top..<min(top + bandRows, input.height), into: band)
            }
        }
        table.add("rci", "band reads via libtiff, 1 thread", sec(bandRead.median), sec(bandRead.p90), String(format: "%.1f GB/s", gb / bandRead.median))

        func reduction(_ label: String, _ settings: ReduceSettings, repetitions: Int) throws {
            var cpu: [Double] = []
            var counts: [String: Int] = [:]
            let t = Timing.measure(repetitions: repetitions, warmup: 0) {
                let before = cpuSeconds()
                if let reduced = try? ScanReducer.reduce(input, settings: settings) {
                    counts = reduced.report.counts
                }
                cpu.append(cpuSeconds() - before)
            }
            cpu.sort()
            table.add("rci", label, sec(t.median), sec(t.p90),
                      String(format: "%.1f CPU s, %.2f GB/s, %d valid px, peak RSS %.0f MB", cpu[cpu.count / 2], gb / t.median, counts["valid"] ?? 0, peakRSSMegabytes()))
        }
        var moments = ReduceSettings()
        moments.motor = .off
        try reduction("reduce: moments, motor off (2 threads)", moments, repetitions: 3)
        var corrected = ReduceSettings()
        corrected.motor = .periodic
        corrected.motorStepMicroradians = 21
        try reduction("reduce: moments + periodic motor correction", corrected, repetitions: 3)
        var gauss = ReduceSettings()
        gauss.method = .gauss
        gauss.motor = .off
        try reduction("reduce: gauss fit per pixel, motor off", gauss, repetitions: 1)
    }

    static func sec(_ s: Double) -> String { String(format: "%.2f s", s) }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
    }

    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
