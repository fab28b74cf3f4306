#if canImport(Glibc)
import Glibc
#endif
import CLibTIFF
import TIFFShim

/// Writes TIFF files atomically: libtiff writes a temporary file beside the target, which is
/// fsynced and renamed over the target, then the directory is fsynced. A reader (or a crash)
/// sees the old file or the new one, never half of one. (RadiatorStore's DurableFile does the
/// same for bytes in memory; here libtiff writes the file itself, so the rename comes after.)
public enum TIFFWriter {
    /// Writes `pages` (one page: an ordinary TIFF; more: a multi-page stack) to `path`.
    public static func write(_ pages: [TIFFPage], to path: String, compression: TIFFCompression = .none,
                             layout: TIFFLayout = .strips(rowsPerStrip: 16)) throws(TIFFError) {
        guard !pages.isEmpty else { throw TIFFError(file: path, problem: "nothing to write: no pages") }
        for (i, page) in pages.enumerated() {
            let count: Int
            switch page.pixels {
            case .uint16(let v): count = v.count
            case .float32(let v): count = v.count
            }
            guard page.width > 0, page.height > 0, count == page.width * page.height else {
                throw TIFFError(file: path, problem: "page \(i): \(count) pixels for \(page.width) × \(page.height)")
            }
        }
        switch layout {
        case .strips(let rows):
            guard rows > 0 else { throw TIFFError(file: path, problem: "rows per strip \(rows); must be ≥ 1") }
        case .tiles(let w, let h):
            guard w > 0, h > 0, w % 16 == 0, h % 16 == 0 else {
                throw TIFFError(file: path, problem: "tile \(w) × \(h); tile sides must be positive multiples of 16")
            }
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = "\(directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        guard let h = spotfinder_tiff_open(temporary, "w") else { throw TIFFError(file: path, problem: "out of memory") }
        guard h.pointee.tif != nil else {
            let reason = message(h)
            _ = spotfinder_tiff_close(h)
            throw TIFFError(file: path, problem: "cannot create the temporary file \(temporary) (\(reason))")
        }
        for (i, page) in pages.enumerated() {
            do throws(TIFFError) {
                try writePage(page, handle: h, compression: compression, layout: layout, file: path)
            } catch {
                _ = spotfinder_tiff_close(h)
                throw TIFFError(file: error.file, problem: "page \(i): \(error.problem)")
            }
        }
        let closeReason = message(h)
        guard spotfinder_tiff_close(h) == 1 else { throw TIFFError(file: path, problem: "cannot finish writing (\(closeReason))") }
        let fd = open(temporary, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TIFFError(file: path, problem: "cannot reopen \(temporary) to sync it: \(String(cString: strerror(errno)))") }
        let synced = fsync(fd) == 0
        let syncError = errno
        close(fd)
        guard synced else { throw TIFFError(file: path, problem: "cannot fsync \(temporary): \(String(cString: strerror(syncError)))") }
        guard rename(temporary, path) == 0 else { throw TIFFError(file: path, problem: "cannot rename into place: \(String(cString: strerror(errno)))") }
        renamed = true
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    private static func message(_ h: UnsafeMutablePointer<spotfinder_tiff>) -> String {
        withUnsafeBytes(of: h.pointee.error) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "libtiff gave no reason" : text
        }
    }

    private static func writePage(_ page: TIFFPage, handle h: UnsafeMutablePointer<spotfinder_tiff>, compression: TIFFCompression,
                                  layout: TIFFLayout, file: String) throws(TIFFError) {
        let tif = h.pointee.tif!
        let sample = page.sampleType.bytes
        let code: Int32
        switch compression {
        case .none: code = COMPRESSION_NONE
        case .lzw: code = COMPRESSION_LZW
        case .deflate: code = COMPRESSION_ADOBE_DEFLATE
        }
        var ok = spotfinder_tiff_set_u32(h, UInt32(TIFFTAG_IMAGEWIDTH), UInt32(page.width)) == 1
        ok = ok && spotfinder_tiff_set_u32(h, UInt32(TIFFTAG_IMAGELENGTH), UInt32(page.height)) == 1
        ok = ok && spotfinder_tiff_set_u16(h, UInt32(TIFFTAG_BITSPERSAMPLE), UInt16(sample * 8)) == 1
        ok = ok && spotfinder_tiff_set_u16(h, UInt32(TIFFTAG_SAMPLESPERPIXEL), 1) == 1
        ok = ok && spotfinder_tiff_set_u16(h, UInt32(TIFFTAG_SAMPLEFORMAT),
                                           UInt16(page.sampleType == .uint16 ? SAMPLEFORMAT_UINT : SAMPLEFORMAT_IEEEFP)) == 1
        ok = ok && spotfinder_tiff_set_u16(h, UInt32(TIFFTAG_PHOTOMETRIC), UInt16(PHOTOMETRIC_MINISBLACK)) == 1
        ok = ok && spotfinder_tiff_set_u16(h, UInt32(TIFFTAG_PLANARCONFIG), UInt16(PLANARCONFIG_CONTIG)) == 1
        ok = ok && spotfinder_tiff_set_u16(h, UInt32(TIFFTAG_COMPRESSION), UInt16(code)) == 1
        switch layout {
        case .strips(let rows):
            ok = ok && spotfinder_tiff_set_u32(h, UInt32(TIFFTAG_ROWSPERSTRIP), UInt32(min(rows, page.height))) == 1
        case .tiles(let w, let tileHeight):
            ok = ok && spotfinder_tiff_set_u32(h, UInt32(TIFFTAG_TILEWIDTH), UInt32(w)) == 1
            ok = ok && spotfinder_tiff_set_u32(h, UInt32(TIFFTAG_TILELENGTH), UInt32(tileHeight)) == 1
        }
        // Deflate at level 1: maps and simulated frames compress nearly as well, several times faster.
        if compression == .deflate { ok = ok && spotfinder_tiff_set_u32(h, UInt32(TIFFTAG_ZIPQUALITY), 1) == 1 }
        guard ok else { throw TIFFError(file: file, problem: "cannot set the image tags (\(message(h)))") }

        func writeChunks(_ base: UnsafeRawPointer) throws(TIFFError) {
            let rowBytes = page.width * sample
            switch layout {
            case .strips(let rowsPerStrip):
                let rows = min(rowsPerStrip, page.height)
                var strip: UInt32 = 0
                for top in stride(from: 0, to: page.height, by: rows) {
                    let count = min(rows, page.height - top)
                    let written = TIFFWriteEncodedStrip(tif, strip, UnsafeMutableRawPointer(mutating: base + top * rowBytes), tmsize_t(count * rowBytes))
                    guard written >= 0 else { throw TIFFError(file: file, problem: "cannot write strip \(strip) (\(message(h)))") }
                    strip += 1
                }
            case .tiles(let tileWidth, let tileHeight):
                let chunk = UnsafeMutableRawPointer.allocate(byteCount: tileWidth * tileHeight * sample, alignment: 16)
                defer { chunk.deallocate() }
                for top in stride(from: 0, to: page.height, by: tileHeight) {
                    for left in stride(from: 0, to: page.width, by: tileWidth) {
                        chunk.initializeMemory(as: UInt8.self, repeating: 0, count: tileWidth * tileHeight * sample)
                        let columns = min(tileWidth, page.width - left)
                        for row in top..<min(top + tileHeight, page.height) {
                            (chunk + (row - top) * tileWidth * sample).copyMemory(from: base + row * rowBytes + left * sample, byteCount: columns * sample)
                        }
                        let index = TIFFComputeTile(tif, UInt32(left), UInt32(top), 0, 0)
                        guard TIFFWriteEncodedTile(tif, index, chunk, tmsize_t(tileWidth * tileHeight * sample)) >= 0 else {
                            throw TIFFError(file: file, problem: "cannot write tile \(index) (\(message(h)))")
                        }
                    }
                }
            }
        }
        func attempt(_ raw: UnsafeRawBufferPointer) -> Result<Void, TIFFError> {
            do throws(TIFFError) { try writeChunks(raw.baseAddress!); return .success(()) } catch { return .failure(error) }
        }
        switch page.pixels {
        case .uint16(let values): try values.withUnsafeBytes(attempt).get()
        case .float32(let values): try values.withUnsafeBytes(attempt).get()
        }
        guard TIFFWriteDirectory(tif) == 1 else { throw TIFFError(file: file, problem: "cannot write the page's directory (\(message(h)))") }
    }
}
