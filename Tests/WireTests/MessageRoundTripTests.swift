import Foundation
import Testing
@testable import Wire

/// Every message survives Swift → protobuf-c bytes → Swift unchanged.
@Suite struct MessageRoundTripTests {
    func roundTrip<M: WireMessage>(_ m: M, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = try m.serializedBytes()
        let back = try M(serializedBytes: bytes)
        #expect(back == m, sourceLocation: sourceLocation)
    }

    static var fullBeamline: BeamlineParameters {
        var b = BeamlineParameters()
        b.ebeamEnergy = 11.6; b.ebeamCurrent = 2.2; b.ebeamRms = 0.001; b.ebeamEmittance = 4.2e-9
        b.vspotRms = 0.5; b.radThickness = 50; b.collimatorDiameter = 3.4; b.collimatorDistance = 76
        b.pbeamEnergyMin = 4.5; b.pbeamEnergyMax = 7; b.pbeamEnergyResol = 0.02
        b.beamCrystalSmearing = false; b.collimated = true; b.radCrystal = "silicon"
        return b
    }

    /// The empty value of every message (all proto3 defaults) is written as no bytes and read back as itself.
    @Test func emptyMessagesRoundTrip() throws {
        func emptyRoundTrip<M: WireMessage>(_ type: M.Type) throws {
            let empty = try M(serializedBytes: [UInt8]())
            #expect(try empty.serializedBytes().isEmpty, "\(M.protoName): proto3 defaults are not written")
            try roundTrip(empty)
        }
        for type in allMessageTypes { try emptyRoundTrip(type) }
        #expect(try Envelope().serializedBytes().isEmpty, "proto3 defaults are not written")
    }

    @Test func populatedMessagesRoundTrip() throws {
        try roundTrip(Envelope(kind: .response, method: "/spotfinder.v1.CobremsNode/ComputeSpectrum", requestId: .max,
                               timeoutMs: .max, statusCode: 3, statusMessage: "ebeam_energy = -1 is out of range µ θ σ",
                               payload: Data((0..<1000).map { UInt8($0 % 256) })))
        try roundTrip(Self.fullBeamline)
        let samples: [TiltSampleMessage] = (0..<500).map { (i: Int) -> TiltSampleMessage in
            let d = Double(i)
            return TiltSampleMessage(thetahOffsetMr: d * 1e-3, thetavOffsetMr: -d * 2e-3, weight: 1 / (d + 1))
        }
        try roundTrip(SpectrumRequestMessage(beamline: Self.fullBeamline, orientation: Orientation(radThetah: 1.23, radThetav: 50, radThetaz: -0.5), samples: samples))
        try roundTrip(PartialSumRequestMessage(beamline: BeamlineParameters(), orientation: Orientation(), samples: samples))
        var s = SpectrumResponseMessage()
        s.energyGev = (0..<146).map { 4.31 + Double($0) * 0.02 }; s.coherent = s.energyGev.map { $0 * 1e8 }
        s.coherentPolarized = s.coherent.map { $0 / 3 }; s.incoherent = s.coherent; s.enhancement = s.energyGev
        s.polarization = s.energyGev.map { $0 / 10 }; s.orientationsAveraged = 1681
        try roundTrip(s)
        try roundTrip(PartialSumResponseMessage(coherent: [1, 2, .greatestFiniteMagnitude], polarized: [0, -0.0, .leastNonzeroMagnitude], totalWeight: 0.5))
        try roundTrip(RegisterNodeRequest(nodeId: "node-1", address: "10.0.0.1:7003", capacity: 64, token: "s3cret"))
        try roundTrip(RegisterNodeResponse(heartbeatIntervalMs: 1000, expiryMs: 3500))
        try roundTrip(ListNodesResponse(nodes: [NodeInfo(nodeId: "a", address: "h:1", capacity: 2, inFlight: 1, lastHeartbeatUnixMs: 1_700_000_000_000)]))
        var view = RadiatorViewMessage(view: "back", grid: GridMessage(originXMm: -3.5, originYMm: -3.5, pixelMm: 0.05, columns: 3, rows: 2),
                                       thetahUrad: [1.5, -2, 3, 4, 5, 6], thetavUrad: [0, 0, 0, 0, 0, 1e3], mask: Data([1, 1, 2, 0, 1, 1]))
        try roundTrip(view)
        var r = RadiatorMessage(); r.name = "JD70-103"; r.crystal = "diamond"; r.thicknessUm = 50; r.notes = "line1\nline2"; r.views = [view, view]
        try roundTrip(r)
        view.mask = Data()
        try roundTrip(ImportRadiatorRequest(radiator: r, token: "t"))
        var spot = BeamSpotMessage(); spot.ebeamXsigma = 1; spot.ebeamXycorr = 0; spot.radPhideg = 90
        var tilt = TiltRequestMessage(); tilt.radiatorName = "x"; tilt.spot = spot; tilt.radTiltResol = 0.01
        try roundTrip(tilt)
        var tr = TiltResponseMessage(); tr.bins = 2; tr.weights = [0.25, 0.25, 0.5, 0]; tr.samples = [TiltSampleMessage(weight: 1)]
        tr.overlayGrid = GridMessage(pixelMm: 0.1, columns: 1, rows: 1); tr.overlay = [0.5]
        try roundTrip(tr)
        var plot = SpectrumPlotRequest(); plot.curves = [CurveMessage(label: "θ", x: [1, 2], y: [3, 4], colorRgb: 0xFF0000, dashed: true)]
        plot.widthPx = 600; plot.title = ["Intensity", "peak 1.2×10⁹ /s/GeV"]
        try roundTrip(plot)
        var map = MapPlotRequest(); map.values = [1.0, 2.5]; map.palette = "viridis"; map.grid = MapGridMessage(dx: 1, dy: 1, columns: 2, rows: 1)
        map.zMin = 0; map.ellipses = [EllipseMessage(sx: 1, sy: 0.5, rho: -0.6, sigmas: 2)]; map.markers = [MarkerMessage(label: "mean")]
        map.intensity = [0.5, 1]
        try roundTrip(map)
        try roundTrip(PlotResponse(png: Data([0x89, 0x50, 0x4E, 0x47])))
    }

    @Test func unsetOptionalsStayUnsetAndZeroIsNotUnset() throws {
        var b = BeamlineParameters()
        b.ebeamEnergy = 0
        b.collimated = false
        let back = try BeamlineParameters(serializedBytes: b.serializedBytes())
        #expect(back.ebeamEnergy == 0)
        #expect(back.collimated == false)
        #expect(back.ebeamCurrent == nil)
        #expect(back.radCrystal == nil)
    }

    @Test func largeArraysRoundTripExactly() throws {
        let values = (0..<200_000).map { sin(Double($0)) * 1e-3 }
        var r = PartialSumResponseMessage(coherent: values, polarized: values.reversed(), totalWeight: 1)
        r.totalWeight = .pi
        try roundTrip(r)
        let floats = (0..<100_000).map { Float($0) * 0.25 }
        try roundTrip(RadiatorViewMessage(view: "front", thetahUrad: floats, thetavUrad: floats, mask: Data(repeating: 1, count: 100_000)))
    }

    @Test func unknownFieldsAreSkipped() throws {
        let known = try Envelope(method: "/a/b", requestId: 7).serializedBytes()
        // Field 99 (varint 150) and field 100 (length-delimited "hi"), as a newer peer might send.
        let unknown: [UInt8] = [0x98, 0x06, 0x96, 0x01, 0xA2, 0x06, 0x02, 0x68, 0x69]
        let decoded = try Envelope(serializedBytes: unknown + known + unknown)
        #expect(decoded.method == "/a/b")
        #expect(decoded.requestId == 7)
    }

    @Test func stringsWithNulCannotBeEncoded() {
        #expect(throws: WireError.self) { try Envelope(method: "a\u{0}b").serializedBytes() }
    }
}
