/// `name=value&name=value` with percent-decoding and '+' as space (HTML forms).
public enum QueryString {
    public static func parse(_ query: String) throws(ParameterError) -> [(name: String, value: String)] {
        var text = Substring(query)
        if text.hasPrefix("?") { text = text.dropFirst() }
        var pairs: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name: String
            do { name = try decode(pieces[0]) } catch {
                throw ParameterError(parameter: "query", message: "a parameter name in the query \(error.message)")
            }
            var value = ""
            if pieces.count > 1 {
                do { value = try decode(pieces[1]) } catch {
                    throw ParameterError(parameter: name, message: "\(name): the value \(error.message)")
                }
            }
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
                    throw ParameterError(parameter: "query", message: "'\(shown(s))' has a malformed percent-escape (use %XX with two hex digits)")
                }
                bytes.append(hi << 4 | lo)
            } else {
                bytes.append(b)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ParameterError(parameter: "query", message: "'\(shown(s))' is not valid UTF-8 once percent-decoded")
        }
        return text
    }

    /// Raw query text for an error message: printable ASCII only (escaped otherwise), at most 40 characters.
    static func shown(_ s: Substring) -> String {
        var out = ""
        for u in s.unicodeScalars.prefix(40) {
            out += u.isASCII && u.value >= 0x20 && u.value < 0x7F ? String(u) : u.escaped(asASCII: true)
        }
        return s.unicodeScalars.count > 40 ? out + "…" : out
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
