import Foundation

/// A protobuf message as plain Swift values, keyed by Swift field name: the neutral
/// form between Codable Swift types and protobuf-c's C structs.
public struct ProtoMessageValue: Sendable, Equatable {
    public var fields = FieldList()
    public init(fields: FieldList = FieldList()) { self.fields = fields }
}

/// A message's few fields by name. Messages have a handful of fields with short names, so a
/// linear scan with inline-string comparison beats hashing every key (this is the RPC hot path).
public struct FieldList: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    private var entries: [(key: String, value: ProtoValue)] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, ProtoValue)...) {
        for (k, v) in elements { self[k] = v }
    }

    public subscript(key: String) -> ProtoValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Append a field known not to be present yet (decoding: each descriptor field once).
    mutating func appendNew(_ key: String, _ value: ProtoValue) { entries.append((key, value)) }

    public var keys: [String] { entries.map(\.key) }
    public mutating func reserveCapacity(_ n: Int) { entries.reserveCapacity(n) }
    public func makeIterator() -> IndexingIterator<[(key: String, value: ProtoValue)]> { entries.makeIterator() }

    public static func == (a: FieldList, b: FieldList) -> Bool {
        a.entries.count == b.entries.count && a.entries.allSatisfy { e in b[e.key] == e.value }
    }
}

/// One field's value. Numbers keep their widest Swift form; the descriptor decides the wire type.
public indirect enum ProtoValue: Sendable, Equatable {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case bytes(Data)
    case message(ProtoMessageValue)
    case list([ProtoValue])
    /// Fast path for large numeric arrays (spectra, tilt maps).
    case doubles([Double])
}
