import Foundation
import RockingCurve
import TIFFImage

/// A scan folder opened and checked: every image exists, is a complete TIFF, and has the same
/// size and pixel type; angles and monitor fit the images. Pixels are read later, a band of rows
/// at a time from every image (the files are reopened per band: page-cached files open in
/// microseconds, and nothing beyond the band stays in memory).
public struct ScanInput: Sendable {
    public let manifest: ScanManifest
    public let width: Int
    public let height: Int
    public let sampleType: TIFFSampleType
    /// Nominal angles (as the motor reported) and the monitor.
    public let frames: ScanFrames
    /// Where image k is: a file and its page.
    public let imageSources: [(path: String, page: Int)]
    public let darkSources: [(path: String, page: Int)]

    public var frameCount: Int { imageSources.count }

    public static func open(directory: String) throws(ScanError) -> ScanInput {
        let manifest = try ScanManifest.load(directory: directory)
        func path(_ name: String) -> String { name.hasPrefix("/") ? name : "\(directory)/\(name)" }
        var sources: [(String, Int)]
        switch manifest.images {
        case .files(let names): sources = names.map { (path($0), 0) }
        case .stack(let name):
            let reader = try openReader(path(name))
            guard reader.pageCount == manifest.anglesMicroradians.count else {
                throw ScanError("\(path(name)): \(reader.pageCount) pages for \(manifest.anglesMicroradians.count) angles; give one angle per image")
            }
            sources = (0..<reader.pageCount).map { (path(name), $0) }
        }
        let darks = manifest.dark.map { (path($0), 0) }
        // Every image checked before any pixel is read: size, type, completeness.
        var reference: (path: String, info: TIFFPageInfo)?
        var readers: [String: TIFFReader] = [:]
        for (file, page) in sources + darks {
            let reader: TIFFReader
            if let open = readers[file] { reader = open } else {
                reader = try openReader(file)
                readers = [file: reader]
            }
            let info: TIFFPageInfo
            let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? 0
            do {
                info = try reader.page(page)
                try reader.checkComplete(page: page, fileSize: size)
            } catch { throw ScanError("\(error.file): \(error.problem)") }
            if let reference {
                guard info.width == reference.info.width, info.height == reference.info.height else {
                    throw ScanError("\(file)\(page > 0 ? " page \(page)" : ""): mixed sizes: \(info.width) × \(info.height) pixels, but \(reference.path) has \(reference.info.width) × \(reference.info.height)")
                }
                let isDark = darks.contains { $0.0 == file && $0.1 == page }
                guard isDark || info.sampleType == reference.info.sampleType else {
                    throw ScanError("\(file)\(page > 0 ? " page \(page)" : ""): mixed bit depths: \(info.sampleType.rawValue), but \(reference.path) is \(reference.info.sampleType.rawValue)")
                }
            } else {
                reference = (file, info)
            }
        }
        let frames: ScanFrames
        do { frames = try ScanFrames(anglesMicroradians: manifest.anglesMicroradians, monitor: manifest.monitor) } catch {
            throw ScanError("\(directory)/scan.json: \(error.parameter): \(error.message)")
        }
        return ScanInput(manifest: manifest, width: reference!.info.width, height: reference!.info.height, sampleType: reference!.info.sampleType,
                         frames: frames, imageSources: sources, darkSources: darks)
    }

    static func openReader(_ path: String) throws(ScanError) -> TIFFReader {
        guard FileManager.default.fileExists(atPath: path) else { throw ScanError("\(path): missing image") }
        do { return try TIFFReader(path: path) } catch { throw ScanError("\(error.file): \(error.problem)") }
    }

    /// Bytes of one band row over all images.
    public var bytesPerBandRow: Int { width * frameCount * sampleType.bytes }

    /// Rows `rows` of every image, frame-major (image 0's rows, then image 1's, …), in the images'
    /// own pixel type, into `buffer` (at least rows.count × bytesPerBandRow bytes).
    public func readBand(rows: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws(ScanError) {
        let imageBytes = rows.count * width * sampleType.bytes
        var reader: TIFFReader?
        for (k, source) in imageSources.enumerated() {
            do {
                if reader?.path != source.path { reader = try TIFFReader(path: source.path) }
                try reader!.readRows(page: source.page, rows: rows, into: UnsafeMutableRawBufferPointer(rebasing: buffer[(k * imageBytes)..<((k + 1) * imageBytes)]))
            } catch { throw ScanError("\(error.file): \(error.problem)") }
        }
    }

    /// The mean dark frame over rows `rows` (nil without dark frames).
    public func darkLevel(rows: Range<Int>) throws(ScanError) -> [Float]? {
        guard !darkSources.isEmpty else { return nil }
        var sum = [Double](repeating: 0, count: rows.count * width)
        for source in darkSources {
            do {
                let values = try TIFFReader(path: source.path).readFloat(page: source.page, rows: rows)
                for i in sum.indices { sum[i] += Double(values[i]) }
            } catch { throw ScanError("\(error.file): \(error.problem)") }
        }
        return sum.map { Float($0 / Double(darkSources.count)) }
    }
}
