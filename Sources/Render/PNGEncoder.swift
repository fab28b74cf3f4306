import CLibPNG
import Foundation

/// The one Swift wrapper around libpng. It uses the simplified API
/// (`png_image_write_to_memory`), which reports failure by return value:
/// libpng's classic longjmp error handling must never cross Swift frames.
public enum PNGEncoder {
    public struct Failure: Error, CustomStringConvertible, Sendable { public let description: String }

    /// Encode the canvas as an 8-bit RGBA (or RGB when opaque) PNG, zlib-compressed.
    public static func encode(_ canvas: Canvas, transparent: Bool = false) throws(Failure) -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(canvas.width)
        image.height = UInt32(canvas.height)
        image.format = transparent ? spotfinder_png_format_rgba : spotfinder_png_format_rgb
        // Plots are mostly flat colour: fast filtering and compression cost little size and most of the time.
        image.flags = UInt32(PNG_IMAGE_FLAG_FAST)
        var source = canvas.pixels
        if !transparent {
            source = [UInt8](unsafeUninitializedCapacity: canvas.width * canvas.height * 3) { buffer, count in
                for i in 0..<(canvas.width * canvas.height) {
                    buffer[3 * i] = canvas.pixels[4 * i]
                    buffer[3 * i + 1] = canvas.pixels[4 * i + 1]
                    buffer[3 * i + 2] = canvas.pixels[4 * i + 2]
                }
                count = canvas.width * canvas.height * 3
            }
        }
        var size: png_alloc_size_t = 0
        // First call sizes the buffer, second writes it.
        guard source.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }) != 0 else {
            throw Failure(description: "libpng could not size the image: \(message(image))")
        }
        var out = [UInt8](repeating: 0, count: Int(size))
        let ok = out.withUnsafeMutableBytes { dst in
            source.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        png_image_free(&image)
        guard ok != 0 else { throw Failure(description: "libpng could not write the image: \(message(image))") }
        return Data(out[..<Int(size)])
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
