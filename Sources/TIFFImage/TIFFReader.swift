import CLibTIFF
import TIFFShim

/// A TIFF file open for reading: single- or multi-page, 16-bit unsigned or 32-bit float,
/// one sample per pixel, in strips or tiles, uncompressed or with any codec libtiff has (LZW,
/// Deflate, …). Reads a band of rows of one page without decoding the rest of the page (only the
/// strips or tiles the band touches).
///
/// One reader is used by one thread at a time (libtiff's handle has a current page); open one
/// per thread. Every failure is a `TIFFError` naming the file and the problem.
public final class TIFFReader {
    public let path: String
    public let pageCount: Int
    private let handle: UnsafeMutablePointer<spotfinder_tiff>
    private var current = 0

    /// Opens without memory-mapping ("rm"): a band read then costs a read() of its strips, not
    /// page faults over a mapping made and torn down for every band.
    public init(path: String) throws(TIFFError) {
        self.path = path
        guard let h = spotfinder_tiff_open(path, "rm") else { throw TIFFError(file: path, problem: "out of memory opening the file") }
        guard h.pointee.tif != nil else {
            let reason = TIFFReader.message(h)
            _ = spotfinder_tiff_close(h)
            throw TIFFError(file: path, problem: "not a readable TIFF file (\(reason))")
        }
        handle = h
        pageCount = Int(TIFFNumberOfDirectories(h.pointee.tif))
        guard pageCount > 0 else {
            _ = spotfinder_tiff_close(h)
            throw TIFFError(file: path, problem: "the TIFF file holds no image")
        }
    }

    deinit { _ = spotfinder_tiff_close(handle) }

    private var tif: OpaquePointer { handle.pointee.tif }

    private static func message(_ h: UnsafeMutablePointer<spotfinder_tiff>) -> String {
        withUnsafeBytes(of: h.pointee.error) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "libtiff gave no reason" : text
        }
    }

    private func failure(_ what: String) -> TIFFError {
        let reason = TIFFReader.message(handle)
        spotfinder_tiff_clear_error(handle)
        return TIFFError(file: path, problem: "\(what) (\(reason))")
    }

    private func select(_ page: Int) throws(TIFFError) {
        guard page >= 0, page < pageCount else {
            throw TIFFError(file: path, problem: "page \(page) does not exist; the file has \(pageCount) page\(pageCount == 1 ? "" : "s")")
        }
        if page != current || TIFFCurrentDirectory(tif) != tdir_t(page) {
            guard TIFFSetDirectory(tif, tdir_t(page)) == 1 else { throw failure("cannot read page \(page)") }
            current = page
        }
    }

    /// Page `page`'s size, pixel type and layout; refuses what Spotfinder cannot use.
    public func page(_ page: Int) throws(TIFFError) -> TIFFPageInfo {
        try select(page)
        var width: UInt32 = 0, height: UInt32 = 0, bits: UInt16 = 0, samples: UInt16 = 0, format: UInt16 = 0, compression: UInt16 = 0
        guard spotfinder_tiff_get_u32(handle, UInt32(TIFFTAG_IMAGEWIDTH), &width) == 1,
              spotfinder_tiff_get_u32(handle, UInt32(TIFFTAG_IMAGELENGTH), &height) == 1, width > 0, height > 0 else {
            throw failure("page \(page) has no image size")
        }
        _ = spotfinder_tiff_get_u16_defaulted(handle, UInt32(TIFFTAG_BITSPERSAMPLE), &bits)
        _ = spotfinder_tiff_get_u16_defaulted(handle, UInt32(TIFFTAG_SAMPLESPERPIXEL), &samples)
        _ = spotfinder_tiff_get_u16_defaulted(handle, UInt32(TIFFTAG_SAMPLEFORMAT), &format)
        _ = spotfinder_tiff_get_u16_defaulted(handle, UInt32(TIFFTAG_COMPRESSION), &compression)
        guard samples == 1 else {
            throw TIFFError(file: path, problem: "page \(page) has \(samples) samples per pixel (colour?); Spotfinder reads grey images with one sample per pixel")
        }
        let type: TIFFSampleType
        switch (bits, Int32(format)) {
        case (16, SAMPLEFORMAT_UINT): type = .uint16
        case (32, SAMPLEFORMAT_IEEEFP): type = .float32
        default:
            let kind = Int32(format) == SAMPLEFORMAT_IEEEFP ? "float" : Int32(format) == SAMPLEFORMAT_INT ? "signed" : "unsigned"
            throw TIFFError(file: path, problem: "wrong bit depth: page \(page) is \(bits)-bit \(kind); Spotfinder reads 16-bit unsigned or 32-bit float images")
        }
        let layout: TIFFLayout
        if TIFFIsTiled(tif) != 0 {
            var tw: UInt32 = 0, th: UInt32 = 0
            guard spotfinder_tiff_get_u32(handle, UInt32(TIFFTAG_TILEWIDTH), &tw) == 1,
                  spotfinder_tiff_get_u32(handle, UInt32(TIFFTAG_TILELENGTH), &th) == 1, tw > 0, th > 0 else {
                throw failure("page \(page) is tiled but has no tile size")
            }
            layout = .tiles(width: Int(tw), height: Int(th))
        } else {
            var rows: UInt32 = 0
            if spotfinder_tiff_get_u32(handle, UInt32(TIFFTAG_ROWSPERSTRIP), &rows) != 1 || rows == 0 { rows = height }
            layout = .strips(rowsPerStrip: Int(min(rows, height)))
        }
        return TIFFPageInfo(width: Int(width), height: Int(height), sampleType: type, compressionCode: Int(compression), layout: layout)
    }

    /// Refuses a page whose strips or tiles reach past the end of a file of `fileSize` bytes (a
    /// truncated file), without decoding anything.
    public func checkComplete(page: Int, fileSize: Int) throws(TIFFError) {
        _ = try self.page(page)
        let first = spotfinder_tiff_first_chunk_past(handle, UInt64(max(fileSize, 0)))
        guard first < 0 else {
            throw TIFFError(file: path, problem: "truncated: page \(page)'s data chunk \(first) lies past the end of the file (\(fileSize) bytes)")
        }
    }

    /// Reads rows `rows` of page `page` into `buffer` (rows.count × width samples of the page's
    /// type, row-major), decoding only the strips or tiles those rows lie in.
    public func readRows(page: Int, rows: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws(TIFFError) {
        let info = try self.page(page)
        guard rows.lowerBound >= 0, rows.upperBound <= info.height, !rows.isEmpty else {
            throw TIFFError(file: path, problem: "rows \(rows.lowerBound)..<\(rows.upperBound) are outside page \(page)'s \(info.height) rows")
        }
        let rowBytes = info.width * info.sampleType.bytes
        guard buffer.count >= rows.count * rowBytes, let out = buffer.baseAddress else {
            throw TIFFError(file: path, problem: "a buffer of \(buffer.count) bytes cannot hold \(rows.count) rows of \(rowBytes) bytes")
        }
        switch info.layout {
        case .strips(let rowsPerStrip):
            let chunk = UnsafeMutableRawPointer.allocate(byteCount: max(Int(TIFFStripSize(tif)), rowsPerStrip * rowBytes), alignment: 16)
            defer { chunk.deallocate() }
            var strip = rows.lowerBound / rowsPerStrip
            while strip * rowsPerStrip < rows.upperBound {
                let top = strip * rowsPerStrip, stripRows = min(rowsPerStrip, info.height - top)
                let index = TIFFComputeStrip(tif, UInt32(top), 0)
                // A strip wholly inside the band is decoded straight into place.
                let inside = top >= rows.lowerBound && top + stripRows <= rows.upperBound
                let target = inside ? out + (top - rows.lowerBound) * rowBytes : chunk
                let got = TIFFReadEncodedStrip(tif, index, target, tmsize_t(stripRows * rowBytes))
                guard got >= 0 else { throw failure("truncated or unreadable: rows \(top)..<\(top + stripRows) of page \(page)") }
                guard Int(got) >= stripRows * rowBytes else {
                    throw TIFFError(file: path, problem: "truncated: strip \(index) of page \(page) holds \(got) of \(stripRows * rowBytes) bytes")
                }
                if !inside {
                    let from = max(top, rows.lowerBound), to = min(top + stripRows, rows.upperBound)
                    (out + (from - rows.lowerBound) * rowBytes).copyMemory(from: chunk + (from - top) * rowBytes, byteCount: (to - from) * rowBytes)
                }
                strip += 1
            }
        case .tiles(let tileWidth, let tileHeight):
            let tileBytes = max(Int(TIFFTileSize(tif)), tileWidth * tileHeight * info.sampleType.bytes)
            let chunk = UnsafeMutableRawPointer.allocate(byteCount: tileBytes, alignment: 16)
            defer { chunk.deallocate() }
            let sample = info.sampleType.bytes
            var tileTop = rows.lowerBound / tileHeight * tileHeight
            while tileTop < rows.upperBound {
                for tileLeft in stride(from: 0, to: info.width, by: tileWidth) {
                    let index = TIFFComputeTile(tif, UInt32(tileLeft), UInt32(tileTop), 0, 0)
                    let got = TIFFReadEncodedTile(tif, index, chunk, tmsize_t(tileWidth * tileHeight * sample))
                    guard got >= 0 else { throw failure("truncated or unreadable: tile \(index) of page \(page)") }
                    guard Int(got) >= tileWidth * tileHeight * sample else {
                        throw TIFFError(file: path, problem: "truncated: tile \(index) of page \(page) holds \(got) of \(tileWidth * tileHeight * sample) bytes")
                    }
                    let columns = min(tileWidth, info.width - tileLeft)
                    for row in max(tileTop, rows.lowerBound)..<min(tileTop + tileHeight, rows.upperBound) {
                        (out + (row - rows.lowerBound) * rowBytes + tileLeft * sample)
                            .copyMemory(from: chunk + (row - tileTop) * tileWidth * sample, byteCount: columns * sample)
                    }
                }
                tileTop += tileHeight
            }
        }
    }

    /// Rows of a 16-bit page.
    public func readUInt16(page: Int, rows: Range<Int>? = nil) throws(TIFFError) -> [UInt16] {
        let info = try self.page(page)
        guard info.sampleType == .uint16 else {
            throw TIFFError(file: path, problem: "wrong bit depth: page \(page) is 32-bit float, 16-bit unsigned expected")
        }
        let band = rows ?? 0..<info.height
        var values = [UInt16](repeating: 0, count: max(band.count, 0) * info.width)
        try fill(&values, page: page, rows: band)
        return values
    }

    /// Rows of a page of either type, as Float.
    public func readFloat(page: Int, rows: Range<Int>? = nil) throws(TIFFError) -> [Float] {
        let info = try self.page(page)
        let band = rows ?? 0..<info.height
        switch info.sampleType {
        case .float32:
            var values = [Float](repeating: 0, count: max(band.count, 0) * info.width)
            try fill(&values, page: page, rows: band)
            return values
        case .uint16:
            return try readUInt16(page: page, rows: band).map(Float.init)
        }
    }

    /// `readRows` into an array (the closure form cannot rethrow a typed error).
    private func fill<Value>(_ values: inout [Value], page: Int, rows: Range<Int>) throws(TIFFError) {
        let result: Result<Void, TIFFError> = values.withUnsafeMutableBytes { raw in
            do throws(TIFFError) { try readRows(page: page, rows: rows, into: raw); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }
}
