import Foundation

/// A Swift value type for one message of spotfinder.proto. Declaring the stored
/// properties (named as the proto fields, camel-cased) is all a message needs:
/// encoding and decoding go through protobuf-c, driven by its descriptors.
public protocol WireMessage: Codable, Sendable, Equatable {
    /// Full proto name, e.g. "spotfinder.v1.Envelope".
    static var protoName: String { get }
}

extension WireMessage {
    /// The protobuf wire bytes of this message.
    public func serializedBytes() throws(WireError) -> [UInt8] {
        try serializedBytes(prefix: 0)
    }

    /// The wire bytes after `prefix` reserved bytes (a frame header is written there without copying the body).
    public func serializedBytes(prefix: Int) throws(WireError) -> [UInt8] {
        let value: ProtoMessageValue
        do { value = try ProtoEncoder.encode(self) } catch { throw WireError("cannot encode \(Self.protoName): \(error)") }
        return try CMessageBridge.pack(value, as: Self.protoName, prefix: prefix)
    }

    /// Parse protobuf wire bytes; malformed input is a `WireError`, never a crash.
    public init(serializedBytes bytes: some ContiguousBytes) throws(WireError) {
        let value = try CMessageBridge.unpack(bytes, as: Self.protoName)
        do { self = try ProtoDecoder.decode(Self.self, from: value) } catch {
            throw WireError("cannot decode \(Self.protoName): \(error)")
        }
    }
}
