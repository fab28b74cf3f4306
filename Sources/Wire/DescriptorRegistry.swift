import CProtobufC
import SpotfinderProtoC

/// protobuf-c's message descriptors of spotfinder.proto, by full name, with
/// each message's fields indexed by a normalised name (lower case, no '_'),
/// so Swift's `energyGev` finds the proto's `energy_gev`.
struct DescriptorRegistry: @unchecked Sendable {
    struct Message {
        let descriptor: UnsafePointer<ProtobufCMessageDescriptor>
        /// Field index by Swift (lowerCamel) name, by proto name and by normalised name.
        let fieldsByKey: [String: Int]
        /// The Swift (lowerCamel) name of each field, in descriptor order.
        let swiftNames: [String]

        func index(of key: String) -> Int? {
            fieldsByKey[key] ?? fieldsByKey[DescriptorRegistry.key(key)]
        }
    }

    static let shared = DescriptorRegistry()

    private let messages: [String: Message]

    private init() {
        var messages: [String: Message] = [:]
        for i in 0..<spotfinder_message_descriptor_count() {
            guard let d = spotfinder_message_descriptor_at(i) else { continue }
            var keys: [String: Int] = [:]
            var names: [String] = []
            for f in 0..<Int(d.pointee.n_fields) {
                let proto = String(cString: d.pointee.fields[f].name)
                let camel = Self.lowerCamel(proto)
                keys[Self.key(proto)] = f
                keys[proto] = f
                keys[camel] = f
                names.append(camel)
            }
            messages[String(cString: d.pointee.name)] = Message(descriptor: d, fieldsByKey: keys, swiftNames: names)
        }
        self.messages = messages
    }

    func message(named fullName: String) -> Message? { messages[fullName] }

    func message(for descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> Message? {
        messages[String(cString: descriptor.pointee.name)]
    }

    /// energy_gev → energyGev, the Swift spelling of a proto field name.
    static func lowerCamel(_ name: String) -> String {
        let parts = name.split(separator: "_")
        guard let first = parts.first else { return name }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func key(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" })
    }
}
