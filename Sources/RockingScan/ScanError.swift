/// A scan that cannot be reduced (or a simulation that cannot be written): the file or field at
/// fault and the problem, in one sentence.
public struct ScanError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
