/// Why a set of scans cannot become a radiator: one sentence naming the scan or parameter and what is allowed.
public struct BuildError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
