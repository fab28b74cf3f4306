import Foundation
import Testing
@testable import Wire

/// Hostile bytes give a WireError, never a crash or a hang.
@Suite struct MalformedInputTests {
    @Test func truncatedMessagesAreRejected() throws {
        let full = try SpectrumRequestMessage(beamline: MessageRoundTripTests.fullBeamline, orientation: Orientation(radThetah: 1),
                                              samples: [TiltSampleMessage(weight: 1)]).serializedBytes()
        var rejected = 0
        for cut in 1..<full.count {
            if (try? SpectrumRequestMessage(serializedBytes: Array(full[..<cut]))) == nil { rejected += 1 }
        }
        #expect(rejected > full.count / 2, "most truncations cut a field in half and must be refused")
    }

    @Test func garbageIsRejected() {
        #expect(throws: WireError.self) { try Envelope(serializedBytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) }
        #expect(throws: WireError.self) { try Envelope(serializedBytes: [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) }  // bytes longer than input
        #expect(throws: WireError.self) { try Envelope(serializedBytes: [0x10]) }  // tag without value
    }

    /// A small randomized decoder test: 20 000 inputs (the stress command runs 100 000+).
    @Test func randomBytesNeverCrashTheDecoder() throws {
        var rng = SplitMix64(seed: 42)
        let seeds = try [Envelope(method: "/x/y", requestId: 9, payload: Data([1, 2, 3])).serializedBytes(),
                         SpectrumRequestMessage(beamline: MessageRoundTripTests.fullBeamline, samples: [TiltSampleMessage(weight: 2)]).serializedBytes()]
        var decoded = 0
        for i in 0..<20_000 {
            var bytes = seeds[i % 2]
            // Mutate a copy of a valid message, or make noise.
            if i % 3 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            if (try? Envelope(serializedBytes: bytes)) != nil { decoded += 1 }
            _ = try? SpectrumRequestMessage(serializedBytes: bytes)
        }
        #expect(decoded > 0 && decoded < 20_000)
    }
}

/// Deterministic random numbers for reproducible fuzzing.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
