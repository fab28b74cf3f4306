import Foundation
import RPC

/// The repository root (for scripts, examples and built products).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A built executable of this package (the test bundle sits beside them).
func executable(_ name: String) -> String {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL.deletingLastPathComponent(),
                      repositoryRoot.appendingPathComponent(".build/debug")]
    for dir in candidates {
        let path = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return repositoryRoot.appendingPathComponent(".build/debug/\(name)").path
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
