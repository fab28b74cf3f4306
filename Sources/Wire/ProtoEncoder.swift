import Foundation

/// Encodable Swift value → `ProtoMessageValue`. Property names match proto
/// field names ignoring case and underscores; nil optionals are left unset
/// (a oneof stays empty), so presence survives the trip.
struct ProtoEncoder {
    static func encode(_ value: some Encodable) throws -> ProtoMessageValue {
        let box = MessageBox()
        try value.encode(to: MessageEncoder(box: box))
        return box.value
    }

    /// Fast paths for the large arrays and byte blobs that dominate payloads.
    /// Matched on the static type: an empty array would cast to any array type.
    static func special<T: Encodable>(_ value: T) -> ProtoValue? {
        if T.self == Data.self { return .bytes(unsafeBitCast(value, to: Data.self)) }
        if T.self == [UInt8].self { return .bytes(Data(unsafeBitCast(value, to: [UInt8].self))) }
        if T.self == [Double].self { return .doubles(unsafeBitCast(value, to: [Double].self)) }
        if T.self == [Float].self { return .doubles(unsafeBitCast(value, to: [Float].self).map(Double.init)) }
        return nil
    }

    static func value(_ v: some Encodable) throws -> ProtoValue {
        if let s = special(v) { return s }
        let single = SingleBox()
        try v.encode(to: MessageEncoder(box: MessageBox(), single: single))
        if let r = single.value { return r }
        if let l = single.list { return .list(l.items) }
        return .message(single.message?.value ?? ProtoMessageValue())
    }
}

final class MessageBox { var value = ProtoMessageValue() }
final class ListBox { var items: [ProtoValue] = [] }
final class SingleBox { var value: ProtoValue?; var list: ListBox?; var message: MessageBox? }

private struct MessageEncoder: Encoder {
    let box: MessageBox
    var single: SingleBox?
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(box: MessageBox, single: SingleBox? = nil) { self.box = box; self.single = single }

    func container<Key: CodingKey>(keyedBy: Key.Type) -> KeyedEncodingContainer<Key> {
        if let single { single.message = box }
        return KeyedEncodingContainer(Keyed<Key>(box: box))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let list = ListBox()
        single?.list = list
        return Unkeyed(list: list)
    }
    func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: single ?? SingleBox()) }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: MessageBox
        var codingPath: [any CodingKey] = []
        mutating func encodeNil(forKey key: Key) {}
        mutating func encode(_ v: Bool, forKey key: Key) { box.value.fields[key.stringValue] = .bool(v) }
        mutating func encode(_ v: String, forKey key: Key) { box.value.fields[key.stringValue] = .string(v) }
        mutating func encode(_ v: Double, forKey key: Key) { box.value.fields[key.stringValue] = .double(v) }
        mutating func encode(_ v: Float, forKey key: Key) { box.value.fields[key.stringValue] = .double(Double(v)) }
        mutating func encode(_ v: Int, forKey key: Key) { box.value.fields[key.stringValue] = .int(Int64(v)) }
        mutating func encode(_ v: Int32, forKey key: Key) { box.value.fields[key.stringValue] = .int(Int64(v)) }
        mutating func encode(_ v: Int64, forKey key: Key) { box.value.fields[key.stringValue] = .int(v) }
        mutating func encode(_ v: UInt32, forKey key: Key) { box.value.fields[key.stringValue] = .uint(UInt64(v)) }
        mutating func encode(_ v: UInt64, forKey key: Key) { box.value.fields[key.stringValue] = .uint(v) }
        mutating func encode<T: Encodable>(_ v: T, forKey key: Key) throws {
            box.value.fields[key.stringValue] = try ProtoEncoder.value(v)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            preconditionFailure("nested containers are not used by wire messages")
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("nested containers are not used by wire messages")
        }
        mutating func superEncoder() -> any Encoder { preconditionFailure("inheritance is not used by wire messages") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure("inheritance is not used by wire messages") }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let list: ListBox
        var codingPath: [any CodingKey] = []
        var count: Int { list.items.count }
        mutating func encodeNil() {}
        mutating func encode<T: Encodable>(_ v: T) throws { list.items.append(try ProtoEncoder.value(v)) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            preconditionFailure("nested containers are not used by wire messages")
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { preconditionFailure("lists of lists are not protobuf") }
        mutating func superEncoder() -> any Encoder { preconditionFailure("inheritance is not used by wire messages") }
    }

    struct Single: SingleValueEncodingContainer {
        let box: SingleBox
        var codingPath: [any CodingKey] = []
        mutating func encodeNil() {}
        mutating func encode(_ v: Bool) { box.value = .bool(v) }
        mutating func encode(_ v: String) { box.value = .string(v) }
        mutating func encode(_ v: Double) { box.value = .double(v) }
        mutating func encode(_ v: Float) { box.value = .double(Double(v)) }
        mutating func encode(_ v: Int) { box.value = .int(Int64(v)) }
        mutating func encode(_ v: Int32) { box.value = .int(Int64(v)) }
        mutating func encode(_ v: Int64) { box.value = .int(v) }
        mutating func encode(_ v: UInt32) { box.value = .uint(UInt64(v)) }
        mutating func encode(_ v: UInt64) { box.value = .uint(v) }
        mutating func encode<T: Encodable>(_ v: T) throws { box.value = try ProtoEncoder.value(v) }
    }
}
