/// A request parameter that is missing, malformed, out of range or inconsistent.
/// The message names the parameter and what is allowed, in a physicist's words.
public struct ParameterError: Error, Equatable, CustomStringConvertible, Sendable {
    public let parameter: String
    public let message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { message }
}
