import CZlib
import Foundation

/// The one Swift wrapper around zlib: compress, decompress with a size bound, CRC-32.
public enum Zlib {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func compress(_ data: Data, level: Int32 = 6) -> Data {
        var bound = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = data.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                compress2(dst.baseAddress!.assumingMemoryBound(to: Bytef.self), &bound,
                          src.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(data.count), level)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed with \(status) on a buffer of its own bound")
        return Data(out[..<Int(bound)])
    }

    /// Inflate data that must expand to exactly `expectedSize` bytes (corrupt or truncated input is an error).
    public static func decompress(_ data: Data, expectedSize: Int) throws(Failure) -> Data {
        var size = uLong(expectedSize)
        var out = [UInt8](repeating: 0, count: max(expectedSize, 1))
        let status = data.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                uncompress(dst.baseAddress!.assumingMemoryBound(to: Bytef.self), &size,
                           src.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(data.count))
            }
        }
        guard status == Z_OK, Int(size) == expectedSize else {
            throw Failure(description: "compressed array is corrupt or has the wrong size (zlib status \(status), \(size) of \(expectedSize) bytes)")
        }
        return Data(out[..<expectedSize])
    }

    public static func crc32(_ data: some ContiguousBytes) -> UInt32 {
        data.withUnsafeBytes { b in
            UInt32(CZlib.crc32(0, b.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(b.count)))
        }
    }
}
