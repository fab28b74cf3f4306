import Foundation

/// A single-band float32 TIFF (baseline, little-endian, uncompressed, one strip): what ImageJ,
/// tifffile, libtiff and the reduction's own `hmu.tif` readers open. Row 0 is the image's first row.
enum FloatTIFF {
    static func encode(width: Int, height: Int, values: [Float]) -> Data {
        precondition(values.count == width * height, "FloatTIFF: \(values.count) values for \(width) × \(height)")
        let tags: [(tag: UInt16, type: UInt16, value: UInt32)] = [
            (256, 4, UInt32(width)), (257, 4, UInt32(height)), (258, 3, 32), (259, 3, 1), (262, 3, 1),
            (273, 4, 0), // strip offset, set below
            (277, 3, 1), (278, 4, UInt32(height)), (279, 4, UInt32(values.count * 4)), (284, 3, 1), (339, 3, 3),
        ]
        let ifdOffset = 8
        let ifdSize = 2 + tags.count * 12 + 4
        let dataOffset = UInt32(ifdOffset + ifdSize)
        var d = Data(capacity: Int(dataOffset) + values.count * 4)
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("II".utf8)); u16(42); u32(UInt32(ifdOffset))
        u16(UInt16(tags.count))
        for t in tags {
            u16(t.tag); u16(t.type); u32(1)
            let value = t.tag == 273 ? dataOffset : t.value
            if t.type == 3 { u16(UInt16(value)); u16(0) } else { u32(value) }
        }
        u32(0)
        for v in values { u32(v.bitPattern) }
        return d
    }
}
