import Foundation
import RPC

/// The repository root (for scripts, examples and built products).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The folder holding the built executables (next to the test bundle).
var productsDirectory: URL {
    let bundle = Bundle.main.bundleURL
    return bundle.hasDirectoryPath && bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
}

struct ProcessResult: Sendable { let status: Int32; let stdout: String; let stderr: String }

/// Run a program to completion off the concurrency pool.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double = 60) async throws -> ProcessResult {
    try await offPool { () -> Result<ProcessResult, any Error> in
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return .failure(error) }
        let killer = DispatchWorkItem { p.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return .success(ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self)))
    }.get()
}
