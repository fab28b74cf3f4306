import CProtobufC
import SpotfinderProtoC

/// protobuf-c's message descriptors of spotfinder.proto, by full name, with
/// each message's fields indexed by a normalised name (lower case, no '_'),
/// so Swift's `energyGev` finds the proto's `energy_gev`.
struct DescriptorRegistry: @unchecked Sendable {
    struct Message {
        let descriptor: UnsafePointer<ProtobufCMessageDescriptor>
        let fieldsByKey: [String: Int]
    }

    static let shared = DescriptorRegistry()

    private let messages: [String: Message]

    private init() {
        var messages: [String: Message] = [:]
        for i in 0..<spotfinder_message_descriptor_count() {
            guard let d = spotfinder_message_descriptor_at(i) else { continue }
            var keys: [String: Int] = [:]
            for f in 0..<Int(d.pointee.n_fields) {
                keys[Self.key(String(cString: d.pointee.fields[f].name))] = f
            }
            messages[String(cString: d.pointee.name)] = Message(descriptor: d, fieldsByKey: keys)
        }
        self.messages = messages
    }

    func message(named fullName: String) -> Message? { messages[fullName] }

    func message(for descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> Message? {
        messages[String(cString: descriptor.pointee.name)]
    }

    static func key(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" })
    }
}
