import Foundation
import Testing

/// `scripts/run` as a user runs it (with the already built programs): everything starts, a crashed
/// service is restarted and logged, Ctrl-C (SIGINT) stops everything. A test runner may start
/// children with signals blocked or ignored; a terminal does not, so the script is started as from one.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RunScriptTests {
    @Test func runSupervisesAndStopsCleanly() async throws {
        let base = Int.random(in: 20_000...29_000)
        let http = base + 900
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let bin = URL(fileURLWithPath: executable("edge")).deletingLastPathComponent().path
        // An existing (empty) raw-scans root: no demo set is written in the background of this test.
        try FileManager.default.createDirectory(atPath: "\(data)/raw-scans", withIntermediateDirectories: true)
        let asFromATerminal = "import os, signal; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
            + "signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL); "
            + "os.execv('\(repositoryRoot.appendingPathComponent("scripts/run").path)', ['run'])"
        let script = try ServiceProcess("/usr/bin/python3", ["-c", asFromATerminal], environment: [
            "SPOTFINDER_BIN": bin, "SPOTFINDER_PORT_BASE": "\(base)", "SPOTFINDER_HTTP": "127.0.0.1:\(http)", "SPOTFINDER_DATA": data,
            "SPOTFINDER_RAW_SCANS": "\(data)/raw-scans", "SPOTFINDER_HEALTHY_SECONDS": "4", "SPOTFINDER_TOKEN": "run-test-token-0123456789",
        ])
        defer { script.kill() }
        try await script.waitForLog("Spotfinder is running: open http://127.0.0.1:\(http)/", timeout: 60)
        for name in ["topograph-store", "tilt-service", "plot-renderer", "edge", "cobrems-node"] {
            try await script.waitForLog("\(name) 20", timeout: 30)  // one line per event, service name first
        }
        // The token is in no service's command line (any user can read those).
        let commandLines = try await run("/usr/bin/pgrep", ["-a", "-f", "\(bin)/"])
        #expect(!commandLines.stdout.isEmpty && !commandLines.stdout.contains("run-test-token"), "\(commandLines.stdout)")
        // Crash the tilt-service: the supervisor logs it and starts it again.
        func tiltPid(otherThan old: Int32? = nil) async throws -> Int32? {
            for _ in 0..<100 {
                let now = try await run("/usr/bin/pgrep", ["-f", "\(bin)/tilt-service --listen 127.0.0.1:\(base + 2)"])
                if let pid = Int32(now.stdout.split(separator: "\n").first ?? ""), pid != old { return pid }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            return nil
        }
        try await Task.sleep(nanoseconds: 4_200_000_000)  // healthy for SPOTFINDER_HEALTHY_SECONDS
        let pid = try #require(try await tiltPid())
        kill(pid, SIGKILL)
        try await script.waitForLog("tilt-service exited with status 137", timeout: 10)
        try await script.waitForLog("; restarting in 0s", timeout: 10)  // it had been healthy: at once
        let second = try #require(try await tiltPid(otherThan: pid), "restarted")
        // Crashing again at once: a wait, doubling from 1 s.
        kill(second, SIGKILL)
        try await script.waitForLog("restarting in 1s", timeout: 10)
        let third = try #require(try await tiltPid(otherThan: second), "restarted again")
        // After a healthy period the back-off starts over.
        try await Task.sleep(nanoseconds: 4_500_000_000)
        let crashesBefore = script.output.components(separatedBy: "restarting in 0s").count
        kill(third, SIGKILL)
        for _ in 0..<100 where script.output.components(separatedBy: "restarting in 0s").count == crashesBefore {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(script.output.components(separatedBy: "restarting in 0s").count == crashesBefore + 1, "back-off reset: \(script.output.suffix(600))")
        #expect(try await tiltPid(otherThan: third) != nil)
        kill(script.process.processIdentifier, SIGINT)
        try await script.waitForLog("info stopped", timeout: 30)
        for _ in 0..<100 where script.process.isRunning { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(!script.process.isRunning)
        #expect(script.output.contains("info stopped"))
        let left = try await run("/usr/bin/pgrep", ["-f", "\(bin)/.*127.0.0.1:\(base)"])
        #expect(left.stdout.isEmpty, "no service left running: \(left.stdout)")
    }
}
