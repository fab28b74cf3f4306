import Foundation
import SpotfinderProtoC
import Testing
@testable import Wire

/// The generated Swift values cover spotfinder.proto exactly: one type per message of protoc-c's
/// descriptor table, and every field of every message survives C → Swift → C unchanged.
@Suite struct GeneratedMessagesTests {
    /// Full names of every message, from protoc-c's descriptor table (not from the Swift generator).
    static var protoMessageNames: [String] {
        (0..<spotfinder_message_descriptor_count()).compactMap { i in
            spotfinder_message_descriptor_at(i).map { String(cString: $0.pointee.name) }
        }
    }

    @Test func everyProtoMessageHasExactlyOneSwiftType() {
        let swiftNames = allMessageTypes.map { $0.protoName }
        #expect(Set(swiftNames).count == swiftNames.count, "a proto message has two Swift types: \(swiftNames)")
        let missing = Set(Self.protoMessageNames).subtracting(swiftNames)
        let unknown = Set(swiftNames).subtracting(Self.protoMessageNames)
        #expect(missing.isEmpty, "messages without a Swift type in allMessageTypes: \(missing.sorted())")
        #expect(unknown.isEmpty, "Swift types naming no message of spotfinder.proto: \(unknown.sorted())")
        #expect(Self.protoMessageNames.count >= 44)
    }

    @Test(arguments: allMessageTypes.map { $0.protoName })
    func everyFieldRoundTrips(protoName: String) throws {
        let type = try #require(allMessageTypes.first { $0.protoName == protoName })
        try Self.roundTripEveryField(type)
    }

    /// Bytes packed by protobuf-c with every field set, parsed into the Swift type and packed again,
    /// must come back byte for byte: a field the Swift type lacks, misnames or mistypes changes them.
    static func roundTripEveryField<M: WireMessage>(_ type: M.Type) throws {
        let entry = try #require(DescriptorRegistry.shared.message(named: M.protoName))
        let filled = FilledMessage.value(for: entry.descriptor)
        let bytes = try CMessageBridge.pack(filled, as: M.protoName)
        let message = try M(serializedBytes: bytes)
        #expect(try message.serializedBytes() == bytes, "\(M.protoName) lost or changed a field through Swift")
        #expect(try M(serializedBytes: message.serializedBytes()) == message)
        if entry.descriptor.pointee.n_fields > 0 {
            #expect(!bytes.isEmpty)
            #expect(try message != M(serializedBytes: [UInt8]()), "\(M.protoName): every field set, yet equal to the empty value")
        }
    }
}
