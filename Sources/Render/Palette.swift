/// Colour maps: perceptually uniform by default, ROOT's kBird for those used to it,
/// and a diverging map for signed quantities (tilts about a mean).
public struct Palette: Sendable {
    public let name: String
    private let stops: [RGBA]

    public init(name: String, stops: [RGBA]) {
        self.name = name
        self.stops = stops
    }

    /// Colour at t in [0, 1] (clamped), linear between stops.
    public func color(_ t: Double) -> RGBA {
        guard t.isFinite else { return stops[0] }
        let s = min(1, max(0, t)) * Double(stops.count - 1)
        let i = min(Int(s), stops.count - 2)
        let f = s - Double(i)
        let a = stops[i], b = stops[i + 1]
        return RGBA(a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b))
    }

    /// matplotlib's viridis at nine stops.
    public static let viridis = Palette(name: "viridis", stops: [0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C,
                                                                 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725].map { RGBA(hex: $0) })
    /// ROOT's kBird.
    public static let bird = Palette(name: "bird", stops: zip(zip([0.2082, 0.0592, 0.0780, 0.0232, 0.1802, 0.5301, 0.8186, 0.9956, 0.9764],
                                                              [0.1664, 0.3599, 0.5041, 0.6419, 0.7178, 0.7492, 0.7328, 0.7862, 0.9832]),
                                                          [0.5293, 0.8684, 0.8385, 0.7914, 0.6425, 0.4662, 0.3499, 0.1968, 0.0539])
        .map { RGBA($0.0.0, $0.0.1, $0.1) })
    /// Blue–white–red, for signed values centred on zero.
    public static let diverging = Palette(name: "diverging", stops: [0x2166AC, 0x67A9CF, 0xD1E5F0, 0xF7F7F7,
                                                                     0xFDDBC7, 0xEF8A62, 0xB2182B].map { RGBA(hex: $0) })

    public static let all = [viridis, bird, diverging]
    public static func named(_ name: String) -> Palette? { all.first { $0.name == name } }
}
