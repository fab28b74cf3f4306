import Foundation
import Testing
import TIFFImage

/// TIFF round trips through libtiff: 16-bit and float, uncompressed, LZW and Deflate, strips and
/// tiles, multi-page, and band reads of a few rows; broken files refused naming file and problem.
@Suite struct TIFFImageTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "rci1-test-tiff-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    static let width = 37, height = 29
    static let ramp16 = (0..<(width * height)).map { UInt16(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
    static let rampFloat = (0..<(width * height)).map { Float($0) * 0.37 - 100 }

    @Test(arguments: TIFFCompression.allCases)
    func uint16AndFloatRoundTripInStripsAndTiles(compression: TIFFCompression) throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for layout in [TIFFLayout.strips(rowsPerStrip: 5), .tiles(width: 16, height: 16)] {
            let path = "\(folder)/\(compression)-\(layout).tif"
            try TIFFWriter.write([TIFFPage(width: Self.width, height: Self.height, uint16: Self.ramp16)], to: path, compression: compression, layout: layout)
            let reader = try TIFFReader(path: path)
            let info = try reader.page(0)
            #expect(info.width == Self.width && info.height == Self.height && info.sampleType == .uint16 && info.layout == layout)
            #expect(try reader.readUInt16(page: 0) == Self.ramp16)
            // A band of rows crossing strip/tile boundaries.
            let band = try reader.readUInt16(page: 0, rows: 3..<19)
            #expect(band == Array(Self.ramp16[(3 * Self.width)..<(19 * Self.width)]))

            let floatPath = "\(folder)/f-\(compression)-\(layout).tif"
            try TIFFWriter.write([TIFFPage(width: Self.width, height: Self.height, float32: Self.rampFloat)], to: floatPath, compression: compression, layout: layout)
            let floats = try TIFFReader(path: floatPath)
            #expect(try floats.page(0).sampleType == .float32)
            #expect(try floats.readFloat(page: 0) == Self.rampFloat)
            #expect(try floats.readFloat(page: 0, rows: 28..<29) == Array(Self.rampFloat[(28 * Self.width)...]))
        }
    }

    @Test func multiPageStacksReadPageByPage() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/stack.tif"
        let pages = (0..<4).map { k in TIFFPage(width: Self.width, height: Self.height, uint16: Self.ramp16.map { $0 &+ UInt16(k * 1000) }) }
        try TIFFWriter.write(pages, to: path, compression: .lzw)
        let reader = try TIFFReader(path: path)
        #expect(reader.pageCount == 4)
        for k in [3, 0, 2] { #expect(try reader.readUInt16(page: k, rows: 10..<12) == Array(pages[k].pixelsUInt16[(10 * Self.width)..<(12 * Self.width)])) }
        #expect(throws: TIFFError.self) { try reader.page(4) }
    }

    @Test func brokenFilesAreRefusedNamingTheFileAndTheProblem() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = "\(folder)/notes.tif"
        try Data("not a tiff".utf8).write(to: URL(fileURLWithPath: text))
        let notTIFF = #expect(throws: TIFFError.self) { try TIFFReader(path: text) }
        #expect(notTIFF?.file == text)
        #expect(notTIFF?.problem.contains("not a readable TIFF") == true)

        let whole = "\(folder)/whole.tif"
        try TIFFWriter.write([TIFFPage(width: Self.width, height: Self.height, uint16: Self.ramp16)], to: whole)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        // Cut short: libtiff writes the directory last, so the cut file has none.
        let cut = "\(folder)/cut.tif"
        try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: cut))
        let cutError = #expect(throws: TIFFError.self) { try TIFFReader(path: cut) }
        #expect(cutError?.file == cut)
        // Data shorter than the directory says (a camera file cut before its data ends).
        let truncated = #expect(throws: TIFFError.self) { try TIFFReader(path: whole).checkComplete(page: 0, fileSize: 100) }
        #expect(truncated?.problem.contains("truncated") == true)
        // Compressed data overwritten: decoding fails with libtiff's reason, captured, not printed.
        let squeezed = "\(folder)/squeezed.tif"
        try TIFFWriter.write([TIFFPage(width: Self.width, height: Self.height, uint16: Self.ramp16)], to: squeezed, compression: .deflate)
        var damaged = try Data(contentsOf: URL(fileURLWithPath: squeezed))
        for i in 8..<40 { damaged[i] = 0xA5 }
        try damaged.write(to: URL(fileURLWithPath: squeezed))
        let unreadable = #expect(throws: TIFFError.self) { try TIFFReader(path: squeezed).readUInt16(page: 0) }
        #expect(unreadable?.file == squeezed)
        #expect(unreadable?.problem.contains("unreadable") == true)

        let float = "\(folder)/float.tif"
        try TIFFWriter.write([TIFFPage(width: 4, height: 4, float32: [Float](repeating: 1, count: 16))], to: float)
        let wrongDepth = #expect(throws: TIFFError.self) { try TIFFReader(path: float).readUInt16(page: 0) }
        #expect(wrongDepth?.problem.contains("wrong bit depth") == true)
    }

    @Test func writesAreAtomicAndLeaveNoTemporaryFiles() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/atomic.tif"
        try TIFFWriter.write([TIFFPage(width: 4, height: 4, uint16: [UInt16](repeating: 7, count: 16))], to: path)
        try TIFFWriter.write([TIFFPage(width: 4, height: 4, uint16: [UInt16](repeating: 9, count: 16))], to: path)
        #expect(try TIFFReader(path: path).readUInt16(page: 0) == [UInt16](repeating: 9, count: 16))
        #expect(throws: TIFFError.self) { try TIFFWriter.write([TIFFPage(width: 4, height: 4, uint16: [1, 2])], to: path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
        #expect(try TIFFReader(path: path).readUInt16(page: 0) == [UInt16](repeating: 9, count: 16))
    }
}

extension TIFFPage {
    var pixelsUInt16: [UInt16] {
        if case .uint16(let v) = pixels { return v }
        return []
    }
}
