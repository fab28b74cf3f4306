import Foundation

/// `--name value` and `--flag` command-line options with environment fallbacks,
/// enough for the thin service mains (no package needed for this).
public struct Flags: Sendable {
    public let program: String
    private var values: [String: String] = [:]
    private var switches: Set<String> = []

    public struct UsageError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Parse `arguments`; `valued` lists options that take a value, `boolean` those that do not.
    public init(_ arguments: [String] = CommandLine.arguments, valued: [String], boolean: [String] = []) throws(UsageError) {
        program = URL(fileURLWithPath: arguments.first ?? "service").lastPathComponent
        var rest = Array(arguments.dropFirst())[...]
        while let a = rest.popFirst() {
            guard a.hasPrefix("--") else { throw UsageError(description: "unexpected argument '\(a)'") }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if boolean.contains(name) {
                switches.insert(name)
            } else if valued.contains(name) {
                guard let v = inline ?? rest.popFirst() else { throw UsageError(description: "--\(name) needs a value") }
                values[name] = v
            } else if name == "help" {
                // The options this program takes (deployment files are tested against this list).
                print("usage: \(program) " + (valued.map { "[--\($0) VALUE]" } + boolean.map { "[--\($0)]" }).joined(separator: " "))
                print("every VALUE may also come from the environment as SPOTFINDER_<NAME>")
                exit(0)
            } else {
                throw UsageError(description: "unknown option --\(name)")
            }
        }
    }

    /// The option, else the environment variable `SPOTFINDER_<NAME>`, else the default.
    public func string(_ name: String, default def: String? = nil) -> String? {
        values[name] ?? ProcessInfo.processInfo.environment["SPOTFINDER_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] ?? def
    }

    public func int(_ name: String, default def: Int) throws(UsageError) -> Int {
        guard let s = string(name) else { return def }
        guard let v = Int(s) else { throw UsageError(description: "--\(name) must be a whole number, got '\(s)'") }
        return v
    }

    public func double(_ name: String, default def: Double) throws(UsageError) -> Double {
        guard let s = string(name) else { return def }
        guard let v = Double(s), v.isFinite else { throw UsageError(description: "--\(name) must be a number, got '\(s)'") }
        return v
    }

    public func has(_ name: String) -> Bool { switches.contains(name) }

    /// Parse "host:port".
    public func address(_ name: String, default def: String) throws(UsageError) -> (host: String, port: UInt16) {
        let s = string(name, default: def) ?? def
        guard let colon = s.lastIndex(of: ":"), let port = UInt16(s[s.index(after: colon)...]) else {
            throw UsageError(description: "--\(name) must be HOST:PORT, got '\(s)'")
        }
        return (String(s[..<colon]), port)
    }
}
