/// A refused reduction input: a sentence naming the parameter and what is allowed.
///
/// The reduction is a pure function of its inputs; the only way it fails is an input
/// that does not fit together (sizes, angles, options), and every such case says so.
public struct RockingCurveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parameter at fault, e.g. `angles_urad`, `tile.counts`, `options.window_sigmas`.
    public let parameter: String
    public let message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(parameter): \(message)" }
}
