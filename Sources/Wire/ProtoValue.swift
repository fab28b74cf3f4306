import Foundation

/// A protobuf message as plain Swift values, keyed by Swift field name: the neutral
/// form between Codable Swift types and protobuf-c's C structs.
public struct ProtoMessageValue: Sendable, Equatable {
    public var fields: [String: ProtoValue] = [:]
    public init(fields: [String: ProtoValue] = [:]) { self.fields = fields }
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
