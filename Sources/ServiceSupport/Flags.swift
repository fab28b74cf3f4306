import Foundation

/// `--name value` and `--flag` command-line options with environment fallbacks,
/// enough for the thin service mains (no package needed for this).
public struct Flags: Sendable {
    public let program: String
    private var values: [String: String] = [:]
    private var switches: Set<String> = []

    public struct UsageError: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Parse `arguments`; `valued` lists options that take a value, `boolean` those that do not, `secrets`
    /// values that never go on a command line (any user sees it in `ps`): they come from the environment
    /// (`SPOTFINDER_<NAME>`) or a file only the owner can read (`--<name>-file`).
    public init(_ arguments: [String] = CommandLine.arguments, valued: [String], boolean: [String] = [],
                secrets: [String] = []) throws(UsageError) {
        let valued = valued + secrets.map { $0 + "-file" }
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
            if secrets.contains(name) {
                let env = "SPOTFINDER_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
                throw UsageError(description: "--\(name) is not taken on the command line (every user can read it there): "
                                 + "set \(env) in the environment or use --\(name)-file FILE (mode 0600)")
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
                for secret in secrets {
                    let env = "SPOTFINDER_" + secret.uppercased().replacingOccurrences(of: "-", with: "_")
                    print("the \(secret) is read from $\(env) or --\(secret)-file FILE (mode 0600), never from the command line")
                }
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

    /// A secret: the file named by `--<name>-file` (or `SPOTFINDER_<NAME>_FILE`), which group and others
    /// must not be able to read, else the environment variable `SPOTFINDER_<NAME>`; nil if neither is set.
    public func secret(_ name: String) throws(UsageError) -> String? {
        guard let path = string(name + "-file") else { return string(name) }
        var info = stat()
        guard stat(path, &info) == 0 else { throw UsageError(description: "--\(name)-file \(path): cannot read it") }
        guard info.st_mode & 0o077 == 0 else {
            throw UsageError(description: "--\(name)-file \(path): group or others may read it; chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw UsageError(description: "--\(name)-file \(path): cannot read it as UTF-8 text")
        }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw UsageError(description: "--\(name)-file \(path) is empty") }
        return value
    }

    /// Parse "host:port".
    public func address(_ name: String, default def: String) throws(UsageError) -> (host: String, port: UInt16) {
        let s = string(name, default: def) ?? def
        guard let colon = s.lastIndex(of: ":"), let port = UInt16(s[s.index(after: colon)...]) else {
            throw UsageError(description: "--\(name) must be HOST:PORT, got '\(s)'")
        }
        return (String(s[..<colon]), port)
    }
}
