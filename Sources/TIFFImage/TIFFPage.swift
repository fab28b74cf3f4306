/// One image to write: its size and its pixels, row-major, row 0 first.
public struct TIFFPage: Sendable, Equatable {
    public enum Pixels: Sendable, Equatable {
        case uint16([UInt16])
        case float32([Float])
    }

    public let width: Int
    public let height: Int
    public let pixels: Pixels

    public var sampleType: TIFFSampleType {
        switch pixels {
        case .uint16: .uint16
        case .float32: .float32
        }
    }

    public init(width: Int, height: Int, pixels: Pixels) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, uint16 values: [UInt16]) { self.init(width: width, height: height, pixels: .uint16(values)) }
    public init(width: Int, height: Int, float32 values: [Float]) { self.init(width: width, height: height, pixels: .float32(values)) }
}
