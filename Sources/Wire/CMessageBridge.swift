import CProtobufC
import CSystemShims
import Foundation
import SpotfinderProtoC

/// The one place where protobuf-c's C structs meet Swift. Driven by the
/// descriptors: any message of spotfinder.proto packs and unpacks through the
/// same code, walking `descriptor->fields` (offset, quantifier_offset for
/// repeated counts and oneof cases). Built messages are malloc'd throughout, so
/// protobuf-c's own `free_unpacked` releases them exactly as it does unpacked ones.
enum CMessageBridge {
    typealias Descriptor = UnsafePointer<ProtobufCMessageDescriptor>

    /// Frames of a few MiB are built and freed per call. glibc would mmap and unmap each one,
    /// paying a page fault per 4 KiB every time; keeping them in the heap makes that memory reusable.
    private static let heapTuning: Void = spotfinder_keep_large_buffers_in_heap()

    // MARK: Swift values → wire bytes

    /// Pack `value`; `prefix` zero bytes are reserved in front (room for a frame header, no extra copy).
    static func pack(_ value: ProtoMessageValue, as fullName: String, prefix: Int = 0) throws(WireError) -> [UInt8] {
        heapTuning
        guard let entry = DescriptorRegistry.shared.message(named: fullName) else {
            throw WireError("no message \(fullName) in spotfinder.proto")
        }
        let message = try build(value, entry)
        defer { protobuf_c_message_free_unpacked(message, nil) }
        let size = protobuf_c_message_get_packed_size(message)
        var written = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: prefix + size) { buffer, count in
            for i in 0..<prefix { buffer[i] = 0 }
            written = protobuf_c_message_pack(message, buffer.baseAddress! + prefix)
            count = prefix + size
        }
        guard written == size else { throw WireError("protobuf-c packed \(written) of \(size) bytes of \(fullName)") }
        return bytes
    }

    private static func build(_ value: ProtoMessageValue, _ entry: DescriptorRegistry.Message) throws(WireError) -> UnsafeMutablePointer<ProtobufCMessage> {
        let d = entry.descriptor
        guard let raw = calloc(1, Int(d.pointee.sizeof_message)) else { throw WireError("out of memory building \(name(d))") }
        let message = raw.assumingMemoryBound(to: ProtobufCMessage.self)
        protobuf_c_message_init(d, raw)
        do throws(WireError) {
            for (key, fieldValue) in value.fields {
                guard let index = entry.index(of: key) else {
                    throw WireError("message \(name(d)) has no field '\(key)'")
                }
                try set(fieldValue, field: d.pointee.fields[index], in: raw, message: name(d))
            }
        } catch {
            protobuf_c_message_free_unpacked(message, nil)
            throw error
        }
        return message
    }

    private static func set(_ value: ProtoValue, field f: ProtobufCFieldDescriptor, in base: UnsafeMutableRawPointer,
                            message: String) throws(WireError) {
        let fieldName = "\(message).\(String(cString: f.name))"
        if f.label == PROTOBUF_C_LABEL_REPEATED {
            let items: [ProtoValue]
            switch value {
            case .list(let l): items = l
            case .doubles(let ds):
                if f.type == PROTOBUF_C_TYPE_DOUBLE {
                    try storeArray(ds, count: ds.count, field: f, base: base)
                    return
                }
                if f.type == PROTOBUF_C_TYPE_FLOAT {
                    try storeArray(ds.map { Float($0) }, count: ds.count, field: f, base: base)
                    return
                }
                items = ds.map { .double($0) }
            default: throw WireError("\(fieldName) is repeated: expected a list")
            }
            let size = elementSize(f.type)
            guard let array = calloc(max(items.count, 1), size) else { throw WireError("out of memory for \(fieldName)") }
            base.storeBytes(of: array, toByteOffset: Int(f.offset), as: UnsafeMutableRawPointer?.self)
            var stored = 0
            defer { base.storeBytes(of: stored, toByteOffset: Int(f.quantifier_offset), as: Int.self) }
            for item in items {
                try store(item, type: f.type, descriptor: f.descriptor, at: array + stored * size, field: fieldName)
                stored += 1
            }
            return
        }
        try store(value, type: f.type, descriptor: f.descriptor, at: base + Int(f.offset), field: fieldName)
        if f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
            base.storeBytes(of: f.id, toByteOffset: Int(f.quantifier_offset), as: UInt32.self)
        } else if f.label == PROTOBUF_C_LABEL_OPTIONAL, hasPresenceFlag(f.type) {
            base.storeBytes(of: Int32(1), toByteOffset: Int(f.quantifier_offset), as: Int32.self)
        }
    }

    private static func storeArray<T>(_ values: [T], count: Int, field f: ProtobufCFieldDescriptor,
                                      base: UnsafeMutableRawPointer) throws(WireError) {
        guard let array = malloc(max(count, 1) * MemoryLayout<T>.stride) else { throw WireError("out of memory") }
        values.withUnsafeBytes { array.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        base.storeBytes(of: array, toByteOffset: Int(f.offset), as: UnsafeMutableRawPointer?.self)
        base.storeBytes(of: count, toByteOffset: Int(f.quantifier_offset), as: Int.self)
    }

    private static func store(_ value: ProtoValue, type: ProtobufCType, descriptor: UnsafeRawPointer?,
                              at p: UnsafeMutableRawPointer, field: String) throws(WireError) {
        func number() throws(WireError) -> Double {
            switch value {
            case .double(let d): return d
            case .int(let i): return Double(i)
            case .uint(let u): return Double(u)
            case .bool(let b): return b ? 1 : 0
            default: throw WireError("\(field) expects a number")
            }
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws(WireError) -> T {
            let result: T?
            switch value {
            case .int(let i): result = T(exactly: i)
            case .uint(let u): result = T(exactly: u)
            case .bool(let b): result = b ? 1 : 0
            case .double(let d): result = d.isFinite ? T(exactly: d) : nil
            default: throw WireError("\(field) expects an integer")
            }
            guard let r = result else { throw WireError("\(field): value does not fit a \(T.self)") }
            return r
        }
        switch type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_ENUM:
            p.storeBytes(of: try integer(Int32.self), as: Int32.self)
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32:
            p.storeBytes(of: try integer(UInt32.self), as: UInt32.self)
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64:
            p.storeBytes(of: try integer(Int64.self), as: Int64.self)
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64:
            p.storeBytes(of: try integer(UInt64.self), as: UInt64.self)
        case PROTOBUF_C_TYPE_FLOAT:
            p.storeBytes(of: Float(try number()), as: Float.self)
        case PROTOBUF_C_TYPE_DOUBLE:
            p.storeBytes(of: try number(), as: Double.self)
        case PROTOBUF_C_TYPE_BOOL:
            guard case .bool(let b) = value else { throw WireError("\(field) expects true or false") }
            p.storeBytes(of: Int32(b ? 1 : 0), as: Int32.self)
        case PROTOBUF_C_TYPE_STRING:
            guard case .string(let s) = value else { throw WireError("\(field) expects a string") }
            guard !s.utf8.contains(0) else { throw WireError("\(field) contains a NUL character") }
            guard let copy = strdup(s) else { throw WireError("out of memory for \(field)") }
            p.storeBytes(of: copy, as: UnsafeMutablePointer<CChar>?.self)
        case PROTOBUF_C_TYPE_BYTES:
            guard case .bytes(let b) = value else { throw WireError("\(field) expects bytes") }
            guard let data = malloc(max(b.count, 1)) else { throw WireError("out of memory for \(field)") }
            b.copyBytes(to: data.assumingMemoryBound(to: UInt8.self), count: b.count)
            p.storeBytes(of: ProtobufCBinaryData(len: b.count, data: data.assumingMemoryBound(to: UInt8.self)),
                         as: ProtobufCBinaryData.self)
        case PROTOBUF_C_TYPE_MESSAGE:
            guard case .message(let m) = value else { throw WireError("\(field) expects a message") }
            guard let d = descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self),
                  let entry = DescriptorRegistry.shared.message(for: d) else { throw WireError("\(field): unknown message type") }
            p.storeBytes(of: try build(m, entry), as: UnsafeMutablePointer<ProtobufCMessage>?.self)
        default:
            throw WireError("\(field): unsupported field type")
        }
    }

    // MARK: Wire bytes → Swift values

    static func unpack(_ bytes: some ContiguousBytes, as fullName: String) throws(WireError) -> ProtoMessageValue {
        heapTuning
        guard let entry = DescriptorRegistry.shared.message(named: fullName) else {
            throw WireError("no message \(fullName) in spotfinder.proto")
        }
        let message: UnsafeMutablePointer<ProtobufCMessage>? = bytes.withUnsafeBytes { buffer in
            protobuf_c_message_unpack(entry.descriptor, nil, buffer.count,
                                      buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1))
        }
        guard let message else { throw WireError("malformed \(fullName): protobuf-c could not parse the \(bytes.withUnsafeBytes { $0.count }) bytes") }
        defer { protobuf_c_message_free_unpacked(message, nil) }
        let strings = bytes.withUnsafeBytes { buffer in Result { () throws(WireError) in try StringFieldCheck.check(buffer, entry.descriptor) } }
        try strings.get()
        return read(UnsafeRawPointer(message), entry)
    }

    private static func read(_ base: UnsafeRawPointer, _ entry: DescriptorRegistry.Message) -> ProtoMessageValue {
        let d = entry.descriptor
        var out = ProtoMessageValue()
        out.fields.reserveCapacity(Int(d.pointee.n_fields))
        for i in 0..<Int(d.pointee.n_fields) {
            let f = d.pointee.fields[i]
            let key = entry.swiftNames[i]
            if f.label == PROTOBUF_C_LABEL_REPEATED {
                let count = base.load(fromByteOffset: Int(f.quantifier_offset), as: Int.self)
                guard count > 0, let array = base.load(fromByteOffset: Int(f.offset), as: UnsafeRawPointer?.self) else {
                    out.fields.appendNew(key, .list([]))
                    continue
                }
                if f.type == PROTOBUF_C_TYPE_DOUBLE {
                    out.fields.appendNew(key, .doubles(Array(UnsafeBufferPointer(start: array.assumingMemoryBound(to: Double.self), count: count))))
                } else if f.type == PROTOBUF_C_TYPE_FLOAT {
                    out.fields.appendNew(key, .doubles(UnsafeBufferPointer(start: array.assumingMemoryBound(to: Float.self), count: count).map(Double.init)))
                } else {
                    let size = elementSize(f.type)
                    out.fields.appendNew(key, .list((0..<count).compactMap { load(f.type, f.descriptor, at: array + $0 * size) }))
                }
                continue
            }
            if f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
                guard base.load(fromByteOffset: Int(f.quantifier_offset), as: UInt32.self) == f.id else { continue }
            } else if f.label == PROTOBUF_C_LABEL_OPTIONAL, hasPresenceFlag(f.type) {
                guard base.load(fromByteOffset: Int(f.quantifier_offset), as: Int32.self) != 0 else { continue }
            }
            if let v = load(f.type, f.descriptor, at: base + Int(f.offset)) { out.fields.appendNew(key, v) }
        }
        return out
    }

    private static func load(_ type: ProtobufCType, _ descriptor: UnsafeRawPointer?, at p: UnsafeRawPointer) -> ProtoValue? {
        switch type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_ENUM:
            return .int(Int64(p.load(as: Int32.self)))
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32: return .uint(UInt64(p.load(as: UInt32.self)))
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64: return .int(p.load(as: Int64.self))
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64: return .uint(p.load(as: UInt64.self))
        case PROTOBUF_C_TYPE_FLOAT: return .double(Double(p.load(as: Float.self)))
        case PROTOBUF_C_TYPE_DOUBLE: return .double(p.load(as: Double.self))
        case PROTOBUF_C_TYPE_BOOL: return .bool(p.load(as: Int32.self) != 0)
        case PROTOBUF_C_TYPE_STRING:
            guard let s = p.load(as: UnsafePointer<CChar>?.self) else { return .string("") }
            return .string(String(cString: s))
        case PROTOBUF_C_TYPE_BYTES:
            let b = p.load(as: ProtobufCBinaryData.self)
            guard b.len > 0, let data = b.data else { return .bytes(Data()) }
            return .bytes(Data(bytes: data, count: b.len))
        case PROTOBUF_C_TYPE_MESSAGE:
            guard let m = p.load(as: UnsafeRawPointer?.self),
                  let d = descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self),
                  let entry = DescriptorRegistry.shared.message(for: d) else { return nil }
            return .message(read(m, entry))
        default:
            return nil
        }
    }

    // MARK: Layout

    private static func elementSize(_ type: ProtobufCType) -> Int {
        switch type {
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64,
             PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_DOUBLE: return 8
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_MESSAGE: return MemoryLayout<UnsafeRawPointer>.stride
        case PROTOBUF_C_TYPE_BYTES: return MemoryLayout<ProtobufCBinaryData>.stride
        default: return 4
        }
    }

    /// proto2 `optional` scalars carry a has_ flag; strings and messages use NULL.
    private static func hasPresenceFlag(_ type: ProtobufCType) -> Bool {
        type != PROTOBUF_C_TYPE_STRING && type != PROTOBUF_C_TYPE_MESSAGE
    }

    private static func name(_ d: Descriptor) -> String { String(cString: d.pointee.name) }
}
