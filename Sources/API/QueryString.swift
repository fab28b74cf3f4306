/// `name=value&name=value` with percent-decoding and '+' as space (HTML forms).
public enum QueryString {
    public static func parse(_ query: String) throws(ParameterError) -> [(name: String, value: String)] {
        var text = Substring(query)
        if text.hasPrefix("?") { text = text.dropFirst() }
        var pairs: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(pieces[0])
            let value = pieces.count > 1 ? try decode(pieces[1]) : ""
            pairs.append((name, value))
        }
        return pairs
    }

    static func decode(_ s: Substring) throws(ParameterError) -> String {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                guard it.count >= 2, let hi = hex(it.popFirst()!), let lo = hex(it.popFirst()!) else {
                    throw ParameterError(parameter: String(s), message: "malformed percent-escape in query text '\(s)'")
                }
                bytes.append(hi << 4 | lo)
            } else {
                bytes.append(b)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ParameterError(parameter: String(s), message: "query text '\(s)' is not valid UTF-8")
        }
        return text
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
