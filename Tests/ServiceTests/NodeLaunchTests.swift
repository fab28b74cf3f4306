import CobremsNodeCore
import Foundation
import ServiceSupport
import Testing

/// A node's advertised address and drain time from its flags (what a batch job script passes).
@Suite struct NodeLaunchTests {
    @Test func aHostWithoutAPortAdvertisesThePortTheNodeBound() throws {
        #expect(try NodeLaunch.advertisedAddress("worker17.lab", listenHost: "0.0.0.0", boundPort: 40123) == "worker17.lab:40123")
        #expect(try NodeLaunch.advertisedAddress("worker17.lab:0", listenHost: "0.0.0.0", boundPort: 40123) == "worker17.lab:40123")
        #expect(try NodeLaunch.advertisedAddress("worker17.lab:7104", listenHost: "0.0.0.0", boundPort: 40123) == "worker17.lab:7104")
        #expect(try NodeLaunch.advertisedAddress(nil, listenHost: "127.0.0.1", boundPort: 40123) == "127.0.0.1:40123")
        #expect(try NodeLaunch.advertisedAddress("", listenHost: "127.0.0.1", boundPort: 40123) == "127.0.0.1:40123")
        // IPv6, bare or in brackets.
        #expect(try NodeLaunch.advertisedAddress("fd00::17", listenHost: "::", boundPort: 40123) == "[fd00::17]:40123")
        #expect(try NodeLaunch.advertisedAddress("[fd00::17]", listenHost: "::", boundPort: 40123) == "[fd00::17]:40123")
        #expect(try NodeLaunch.advertisedAddress("[fd00::17]:7104", listenHost: "::", boundPort: 40123) == "[fd00::17]:7104")
    }

    @Test func aBadAdvertisedAddressIsRefusedNamingTheFlag() {
        for bad in ["worker:http", "worker:70000", "[fd00::17", ":7104", "[fd00::17]x"] {
            #expect(throws: Flags.UsageError.self, "\(bad)") { try NodeLaunch.advertisedAddress(bad, listenHost: "0.0.0.0", boundPort: 1) }
            do {
                _ = try NodeLaunch.advertisedAddress(bad, listenHost: "0.0.0.0", boundPort: 1)
            } catch {
                #expect(error.description.hasPrefix("--advertise '\(bad)'"))
            }
        }
    }

    @Test func theDrainTimeMustLieAheadAndWithinAYear() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try NodeLaunch.drainTime(nil, now: now) == nil)
        #expect(try NodeLaunch.drainTime("", now: now) == nil)
        #expect(try NodeLaunch.drainTime("1800003600", now: now) == Date(timeIntervalSince1970: 1_800_003_600))
        #expect(try NodeLaunch.drainTime("1800000000.5", now: now) == Date(timeIntervalSince1970: 1_800_000_000.5))
        #expect(throws: Flags.UsageError(description: "--drain-at = 1799999999 must be in (1800000000, 1831622400] Unix seconds (after now, within a year): the node would leave before it started")) {
            try NodeLaunch.drainTime("1799999999", now: now)
        }
        // Milliseconds by mistake.
        #expect(throws: Flags.UsageError.self) { try NodeLaunch.drainTime("1800003600000", now: now) }
        #expect(throws: Flags.UsageError(description: "--drain-at must be a time in Unix seconds, got 'tomorrow'")) {
            try NodeLaunch.drainTime("tomorrow", now: now)
        }
    }
}
