import CProtobufC
import Foundation
@testable import Wire

/// A message value with every field of a protobuf-c descriptor set to something other than its
/// proto3 default, built from the C descriptors alone (protoc-c's view of the proto, independent
/// of the Swift generator): what survives a trip through a Swift type is then exactly what that
/// type models. Values differ per field number, so swapped fields show too.
enum FilledMessage {
    /// Sub-messages deeper than this are left empty (a proto may nest a type within itself).
    static let maximumDepth = 4

    static func value(for descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int = 0) -> ProtoMessageValue {
        var message = ProtoMessageValue()
        guard depth < maximumDepth else { return message }
        var oneofsSet: Set<UInt32> = []
        for i in 0..<Int(descriptor.pointee.n_fields) {
            let field = descriptor.pointee.fields[i]
            if field.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
                // One member per oneof: its members share the case slot at quantifier_offset.
                guard oneofsSet.insert(field.quantifier_offset).inserted else { continue }
            }
            let one = scalar(field, number: field.id, depth: depth)
            let name = String(cString: field.name)
            message.fields[name] = field.label == PROTOBUF_C_LABEL_REPEATED
                ? .list([one, scalar(field, number: field.id + 100, depth: depth)]) : one
        }
        return message
    }

    private static func scalar(_ field: ProtobufCFieldDescriptor, number n: UInt32, depth: Int) -> ProtoValue {
        switch field.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32,
             PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64:
            return .int(-Int64(n))
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64:
            return .uint(UInt64(n))
        case PROTOBUF_C_TYPE_FLOAT, PROTOBUF_C_TYPE_DOUBLE:
            return .double(Double(n) + 0.25)
        case PROTOBUF_C_TYPE_BOOL:
            return .bool(true)
        case PROTOBUF_C_TYPE_STRING:
            return .string("field \(n) µθ")
        case PROTOBUF_C_TYPE_BYTES:
            return .bytes(Data([0, UInt8(truncatingIfNeeded: n), 255]))
        case PROTOBUF_C_TYPE_ENUM:
            // The enum's last value: not the default whenever the enum has more than one.
            let e = field.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
            return .int(Int64(e.pointee.values[Int(e.pointee.n_values) - 1].value))
        case PROTOBUF_C_TYPE_MESSAGE:
            let sub = field.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
            return .message(value(for: sub, depth: depth + 1))
        default:
            return .bytes(Data())
        }
    }
}
