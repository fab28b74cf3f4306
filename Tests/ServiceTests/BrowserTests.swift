import Foundation
import Testing

/// The page in a real headless browser (Chromium via Selenium), against the real system:
/// tests/browser/test_page.py is the page's specification (issue #13 items 1–16, the edge lock,
/// read-outs, pins, import from the page, the spot map of #11, and the Topography of #17/#18). One browser session.
@Suite(.serialized, .timeLimit(.minutes(8))) struct BrowserTests {
    @Test func thePageWorksInAHeadlessBrowser() async throws {
        // The edge computes in-process: this is the page's test (the fan-out over nodes has its own
        // system tests), and one process keeps a loaded CI machine's timing out of the page's checks.
        // The Topography's end-to-end checks reduce and build from the demo folders (scripts/demo-scans: the front's two, 96 × 96 pixels of 80 µm × 40 images of 4.8 µrad: the whole crystal in a second).
        let scans = FileManager.default.temporaryDirectory.appendingPathComponent("spotfinder-browser-scans-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: scans) }
        let binDirectory = URL(fileURLWithPath: executable("spotfinder")).deletingLastPathComponent().path
        let demo = try await run(repositoryRoot.appendingPathComponent("scripts/demo-scans").path, [scans, binDirectory],
                                 environment: ["SPOTFINDER_DEMO_FACES": "front", "SPOTFINDER_DEMO_SIZE": "96x96", "SPOTFINDER_DEMO_PIXEL_MM": "0.08",
                                               "SPOTFINDER_DEMO_FRAMES": "40", "SPOTFINDER_DEMO_STEP_URAD": "4.8"], timeout: 120)
        #expect(demo.status == 0, "scripts/demo-scans failed: \(demo.stderr)")
        let system = try await LocalSystem.start(computeInProcess: true, scans: scans)
        defer { system.stop() }
        let artifacts = repositoryRoot.appendingPathComponent(".build/artifacts/browser").path
        let r = try await run("/usr/bin/python3", [repositoryRoot.appendingPathComponent("tests/browser/test_page.py").path,
                                                   "http://127.0.0.1:\(system.http)", artifacts, system.token],
                           // The Topography's checks store a small reduced scan as a user would (`spotfinder rci … publish`).
                           environment: ["SPOTFINDER_BIN_DIR": binDirectory,
                                         "SPOTFINDER_EDGE_RPC": "127.0.0.1:\(system.edgeRPC)"],
                           timeout: 420)
        #expect(r.status == 0, "browser checks failed:\n\(r.stdout)\n\(r.stderr.suffix(2000))")
        #expect(r.stdout.contains(" passed, 0 failed"))
    }
}
