import Foundation
import Testing

/// `scripts/run` as a user runs it (with the already built programs): everything starts, a crashed
/// service is restarted and logged, Ctrl-C (SIGINT) stops everything. A test runner may start
/// children with signals blocked or ignored; a terminal does not, so the script is started as from one.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RunScriptTests {
    @Test func runSupervisesAndStopsCleanly() async throws {
        let base = Int.random(in: 20_000...29_000)
        let http = base + 900
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let bin = URL(fileURLWithPath: executable("edge")).deletingLastPathComponent().path
        let asFromATerminal = "import os, signal; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
            + "signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL); "
            + "os.execv('\(repositoryRoot.appendingPathComponent("scripts/run").path)', ['run'])"
        let script = try ServiceProcess("/usr/bin/python3", ["-c", asFromATerminal], environment: [
            "SPOTFINDER_BIN": bin, "SPOTFINDER_PORT_BASE": "\(base)", "SPOTFINDER_HTTP": "127.0.0.1:\(http)", "SPOTFINDER_DATA": data,
        ])
        defer { script.kill() }
        try await script.waitForLog("Spotfinder is running: open http://127.0.0.1:\(http)/", timeout: 60)
        for name in ["topograph-store", "tilt-service", "plot-renderer", "edge", "cobrems-node"] {
            try await script.waitForLog("\(name) 20", timeout: 30)  // one line per event, service name first
        }
        // Crash the tilt-service: the supervisor logs it and starts it again.
        let before = try await run("/usr/bin/pgrep", ["-f", "\(bin)/tilt-service --listen 127.0.0.1:\(base + 2)"])
        let pid = try #require(Int32(before.stdout.split(separator: "\n").first ?? ""))
        kill(pid, SIGKILL)
        try await script.waitForLog("tilt-service exited with status 137; restarting", timeout: 10)
        var restarted = false
        for _ in 0..<100 where !restarted {
            try await Task.sleep(nanoseconds: 100_000_000)
            let now = try await run("/usr/bin/pgrep", ["-f", "\(bin)/tilt-service --listen 127.0.0.1:\(base + 2)"])
            restarted = now.status == 0 && !now.stdout.contains("\(pid)")
        }
        #expect(restarted)
        kill(script.process.processIdentifier, SIGINT)
        try await script.waitForLog("info stopped", timeout: 30)
        for _ in 0..<100 where script.process.isRunning { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(!script.process.isRunning)
        #expect(script.output.contains("info stopped"))
        let left = try await run("/usr/bin/pgrep", ["-f", "\(bin)/.*127.0.0.1:\(base)"])
        #expect(left.stdout.isEmpty, "no service left running: \(left.stdout)")
    }
}
