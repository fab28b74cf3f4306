/// The pixel types Spotfinder reads and writes: what cameras write (16-bit unsigned) and what
/// processed images and maps are (32-bit float).
public enum TIFFSampleType: String, Sendable, Codable, Hashable {
    case uint16
    case float32

    public var bytes: Int { self == .uint16 ? 2 : 4 }
}

/// Compression schemes for writing (reading accepts whatever libtiff decodes).
public enum TIFFCompression: String, Sendable, Codable, Hashable, CaseIterable {
    case none, lzw, deflate
}

/// How a page's pixels are cut into chunks: rows (strips) or rectangles (tiles).
public enum TIFFLayout: Sendable, Hashable {
    case strips(rowsPerStrip: Int)
    /// Tile sides must be multiples of 16 (the TIFF rule).
    case tiles(width: Int, height: Int)
}

/// One page's (image file directory's) description.
public struct TIFFPageInfo: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public let sampleType: TIFFSampleType
    /// libtiff's compression code (1 none, 5 LZW, 8 or 32946 Deflate, …).
    public let compressionCode: Int
    /// Strip height, or tile width and height.
    public let layout: TIFFLayout
}
