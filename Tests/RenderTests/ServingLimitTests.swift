import API
import Foundation
import PlotRendererCore
import Plots
import RadiatorStore
import RPC
import Testing
import Topography
import TopographStoreCore
import Wire
import WireMapping

/// Issue 10 item 11: import limits equal what can be served. A radiator at the import limit is imported,
/// served by the store and drawn by the renderer over real RPC; one pixel beyond cannot be, and is refused.
@Suite struct ServingLimitTests {
    static func view(columns: Int, rows: Int) -> RadiatorView {
        let n = columns * rows
        // Varied values (a tilt gradient) so the arrays do not compress into nothing anywhere on the way.
        let h = (0..<n).map { Float($0 % columns) * 0.01 - 5 }, v = (0..<n).map { Float($0 / columns) * 0.01 - 5 }
        var mask = [SurfaceKind](repeating: .crystal, count: n)
        for i in 0..<columns { mask[i] = .mount }
        return RadiatorView(side: .front, grid: TopographGrid(originXMillimeters: -34, originYMillimeters: -34, pixelMillimeters: 0.05,
                                                             columns: columns, rows: rows),
                            thetaHMicroradians: h, thetaVMicroradians: v, mask: mask)
    }

    @Test func theBoundIsComputedFromTheRealFrameLimit() async throws {
        #expect(Radiator.frameBytes == Framing.defaultMaxFrameBytes)
        #expect(try await offPoolThrowing { Self.aFrameCannotCarryOneMore() })
    }

    static func aFrameCannotCarryOneMore() -> Bool {
        // One pixel above what a frame can carry at all: the store's answer would not fit, so import must refuse far earlier.
        let tooMany = Radiator.frameBytes / Radiator.wireBytesPerPixel + 1
        var answer = GetViewResponse()
        answer.view = RadiatorViewMessage(Self.view(columns: tooMany / 2 + 1, rows: 2))
        return ((try? answer.serializedBytes())?.count ?? 0) > Framing.defaultMaxFrameBytes
    }

    /// The frame the RPC server would send for `message`: throws RESOURCE_EXHAUSTED above the limit, as serving would.
    static func frame(_ message: some WireMessage) throws -> [UInt8] {
        try Framing.encode(Envelope(method: "/served", requestId: 1, payload: Data(message.serializedBytes())),
                           maxFrameBytes: Framing.defaultMaxFrameBytes)
    }

    /// In process, through the services' own methods and the server's own frame encoder (over a socket a debug
    /// build on a loaded machine can be silent for longer than the client's 30 s read timeout).
    @Test func aRadiatorAtTheLimitIsImportedServedAndDrawn() async throws {
        try await offPoolThrowing { try Self.importServeAndDraw() }
    }

    static func importServeAndDraw() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-limit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TopographStoreService(store: try RadiatorStore(directory: directory), importToken: "t0ken")

        let columns = 1363, rows = Radiator.maxPixels / 1363  // 1363 × 1362 = 1,856,406 pixels
        var importing = ImportRadiatorRequest()
        // As an import parses it: the front as given, the back derived by mirroring (the message carries the front only).
        let front = Self.view(columns: columns, rows: rows)
        importing.radiator = RadiatorMessage(Radiator(name: "at-the-limit", thicknessMicrons: 50, views: [front, front.mirrored()]))
        try check(importing.radiator?.views.count == 1, "the import message carries the given view only")
        importing.token = "t0ken"
        _ = try Self.frame(importing)  // the import message itself fits
        try check(try store.importRadiator(importing).radiator?.name == "at-the-limit", "imported")

        for side in ["front", "back"] {
            let answer = try store.view(GetViewRequest(radiatorName: "at-the-limit", radiatorView: side))
            let frame = try Self.frame(answer)
            try check(frame.count > 9 * columns * rows, "the whole view is in the frame")
            let envelope = try Envelope(serializedBytes: Array(frame.dropFirst(4)))
            guard let view = try GetViewResponse(serializedBytes: envelope.payload).view?.radiatorView() else { throw CheckFailed("no view") }
            try check(view.grid.count == columns * rows, "the served view has every pixel")
            // The page's picture and the spot plot: their requests fit a frame and the renderer draws them.
            // (θH, θV and elevation pictures are requests of the same size.)
            let picture = PlotRequests.radiatorImage(view: view, quantity: side == "front" ? .thetav : .thetah)
            _ = try Self.frame(picture)
            let request = try SpotfinderRequest(query: "radiator_name=at-the-limit&plot_type=spot&radiator_view=\(side)")
            let spot = PlotRequests.spot(view: view, tilt: nil, request: request, radiatorName: "at-the-limit")
            _ = try Self.frame(spot)
            if side == "front" {
                try check(try PlotRendererService.png(picture).count > 1000, "picture drawn")
                try check(try PlotRendererService.png(spot).count > 1000, "spot plot drawn")
            }
        }

        // One row more is refused by the same import, with the limit in the message.
        importing.radiator = RadiatorMessage(Radiator(name: "over-the-limit", thicknessMicrons: 50, views: [Self.view(columns: columns, rows: rows + 1)]))
        do {
            _ = try store.importRadiator(importing)
        } catch {
            try check(error.code == .invalidArgument && error.message.contains("at most \(Radiator.maxPixels) pixels"), "\(error)")
            return
        }
        throw CheckFailed("a radiator above the limit was imported")
    }
}
