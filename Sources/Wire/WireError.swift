/// Why a message could not be encoded or decoded, in words.
public struct WireError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
