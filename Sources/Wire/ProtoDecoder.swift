import Foundation

/// `ProtoMessageValue` → Decodable Swift value. Absent fields decode as nil
/// optionals; proto3 defaults (0, "", empty list) for non-optional properties.
struct ProtoDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from message: ProtoMessageValue) throws -> T {
        try T(from: ValueDecoder(value: .message(message)))
    }

    static func decodeValue<T: Decodable>(_ type: T.Type, from value: ProtoValue?, path: [any CodingKey]) throws -> T {
        // Fast paths, matched on the static type (same-type bit casts: no dynamic cast or bridging).
        switch value {
        case .bytes(let b)? where T.self == Data.self: return unsafeBitCast(b, to: T.self)
        case .bytes(let b)? where T.self == [UInt8].self: return unsafeBitCast([UInt8](b), to: T.self)
        case .doubles(let d)? where T.self == [Double].self: return unsafeBitCast(d, to: T.self)
        case .doubles(let d)? where T.self == [Float].self: return unsafeBitCast(d.map(Float.init), to: T.self)
        default: break
        }
        return try T(from: ValueDecoder(value: value, codingPath: path))
    }
}

private struct ValueDecoder: Decoder {
    let value: ProtoValue?
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .message(let m): return KeyedDecodingContainer(Keyed<Key>(message: m, codingPath: codingPath))
        case nil: return KeyedDecodingContainer(Keyed<Key>(message: ProtoMessageValue(), codingPath: codingPath))
        default: throw DecodingError.typeMismatch(ProtoMessageValue.self, .init(codingPath: codingPath, debugDescription: "expected a message"))
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .list(let l): return Unkeyed(items: l, codingPath: codingPath)
        case .doubles(let d): return Unkeyed(items: d.map { .double($0) }, codingPath: codingPath)
        case .bytes(let b): return Unkeyed(items: b.map { ProtoValue.uint(UInt64($0)) }, codingPath: codingPath)
        case nil: return Unkeyed(items: [], codingPath: codingPath)
        default: throw DecodingError.typeMismatch([ProtoValue].self, .init(codingPath: codingPath, debugDescription: "expected a list"))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value, codingPath: codingPath) }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let message: ProtoMessageValue
        var codingPath: [any CodingKey]
        init(message: ProtoMessageValue, codingPath: [any CodingKey]) {
            self.message = message
            self.codingPath = codingPath
        }
        var allKeys: [Key] { message.fields.keys.compactMap(Key.init(stringValue:)) }
        private func field(_ key: Key) -> ProtoValue? {
            // Fields arrive under their Swift (lowerCamel) names; other spellings are matched loosely.
            if let v = message.fields[key.stringValue] { return v }
            let wanted = DescriptorRegistry.key(key.stringValue)
            return message.fields.first { DescriptorRegistry.key($0.key) == wanted }?.value
        }
        func contains(_ key: Key) -> Bool { field(key) != nil }
        func decodeNil(forKey key: Key) -> Bool { field(key) == nil }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try ProtoDecoder.decodeValue(type, from: field(key), path: codingPath + [key])
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let v = field(key) else { return nil }
            return try ProtoDecoder.decodeValue(type, from: v, path: codingPath + [key])
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try ValueDecoder(value: field(key), codingPath: codingPath + [key]).container(keyedBy: NestedKey.self)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try ValueDecoder(value: field(key), codingPath: codingPath + [key]).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { ValueDecoder(value: .message(message), codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(value: field(key), codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [ProtoValue]
        var codingPath: [any CodingKey]
        var currentIndex = 0
        init(items: [ProtoValue], codingPath: [any CodingKey]) { self.items = items; self.codingPath = codingPath }
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }
        mutating func decodeNil() -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            defer { currentIndex += 1 }
            return try ProtoDecoder.decodeValue(type, from: items[currentIndex], path: codingPath)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            defer { currentIndex += 1 }
            return try ValueDecoder(value: items[currentIndex], codingPath: codingPath).container(keyedBy: NestedKey.self)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([ProtoValue].self, .init(codingPath: codingPath, debugDescription: "lists of lists are not protobuf"))
        }
        mutating func superDecoder() throws -> any Decoder { ValueDecoder(value: items[currentIndex], codingPath: codingPath) }
    }

    struct Single: SingleValueDecodingContainer {
        let value: ProtoValue?
        var codingPath: [any CodingKey]
        func decodeNil() -> Bool { value == nil }
        private func mismatch(_ t: Any.Type) -> DecodingError {
            .typeMismatch(t, .init(codingPath: codingPath, debugDescription: "wire value \(String(describing: value)) is not a \(t)"))
        }
        func decode(_ type: Bool.Type) throws -> Bool {
            switch value { case .bool(let b): return b; case nil: return false; default: throw mismatch(type) }
        }
        func decode(_ type: String.Type) throws -> String {
            switch value { case .string(let s): return s; case nil: return ""; default: throw mismatch(type) }
        }
        func decode(_ type: Double.Type) throws -> Double {
            switch value {
            case .double(let d): return d
            case .int(let i): return Double(i)
            case .uint(let u): return Double(u)
            case nil: return 0
            default: throw mismatch(type)
            }
        }
        func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
        private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            let r: T?
            switch value {
            case .int(let i): r = T(exactly: i)
            case .uint(let u): r = T(exactly: u)
            case .double(let d): r = d.isFinite ? T(exactly: d) : nil
            case .bool(let b): r = b ? 1 : 0
            case nil: r = 0
            default: throw mismatch(type)
            }
            guard let r else { throw mismatch(type) }
            return r
        }
        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try ProtoDecoder.decodeValue(type, from: value, path: codingPath) }
    }
}
