import CProtobufC

/// protobuf-c hands strings to C as NUL-terminated copies: "SF-G03\0x" would
/// arrive as "SF-G03". Before that, this walks the wire bytes (already parsed
/// by protobuf-c, so well formed) and refuses any string field, at any depth,
/// that holds a NUL byte or is not UTF-8 (proto3 strings must be UTF-8).
enum StringFieldCheck {
    /// Throws naming the field when a string field holds a NUL or invalid UTF-8.
    static func check(_ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                      depth: Int = 0) throws(WireError) {
        // No zero byte and all ASCII: nothing to find (the common case, one pass).
        guard bytes.contains(where: { $0 == 0 || $0 >= 0x80 }) else { return }
        guard depth < 64 else { throw WireError("\(name(descriptor)): messages nested too deeply") }
        var i = 0
        while i < bytes.count {
            guard let tag = varint(bytes, &i) else { return }
            let number = UInt32(truncatingIfNeeded: tag >> 3)
            switch tag & 7 {
            case 0: guard varint(bytes, &i) != nil else { return }
            case 1: i += 8
            case 5: i += 4
            case 2:
                guard let length = varint(bytes, &i), length <= UInt64(bytes.count - i) else { return }
                let start = i
                i += Int(length)
                guard let field = protobuf_c_message_descriptor_get_field(descriptor, number) else { continue }
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                if field.pointee.type == PROTOBUF_C_TYPE_STRING {
                    let fieldName = "\(name(descriptor)).\(String(cString: field.pointee.name))"
                    if slice.contains(0) { throw WireError("\(fieldName) contains a NUL byte") }
                    if String(validating: slice, as: UTF8.self) == nil { throw WireError("\(fieldName) is not valid UTF-8") }
                } else if field.pointee.type == PROTOBUF_C_TYPE_MESSAGE,
                          let nested = field.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self) {
                    try check(slice, nested, depth: depth + 1)
                }
            default: return  // groups are not in spotfinder.proto; protobuf-c has judged the rest
            }
        }
    }

    private static func varint(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count && shift < 64 {
            let b = bytes[i]
            i += 1
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    private static func name(_ d: UnsafePointer<ProtobufCMessageDescriptor>) -> String { String(cString: d.pointee.name) }
}
