import Foundation
import RadiatorStore
import RPC
import ServiceClients

/// `spotfinder rci publish REDUCED_DIR --edge HOST:PORT [--name NAME] [--scan SCAN_DIR] [--notes TEXT]`:
/// a reduction folder stored in the topograph-store (through the edge, or `--store HOST:PORT`
/// directly), where `GET /api/scans` and `/api/scan` serve it. The token comes from SPOTFINDER_TOKEN.
public enum RCIPublishCommand {
    public static let usage = """
    usage: spotfinder rci publish REDUCED_DIR (--edge HOST:PORT | --store HOST:PORT) [--name NAME] [--scan SCAN_DIR] [--notes TEXT]
    stores the maps, mask and facts that `spotfinder rci reduce` wrote into REDUCED_DIR (replacing a scan of the same
    name); the deployment token comes from SPOTFINDER_TOKEN. Then: GET /api/scan?scan_name=NAME&map=hmu_moco&format=png
    """

    /// Runs `rci publish ARGS…`; returns the line for standard output or a sentence naming what is wrong.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async -> Result<String, ReducedScanError> {
        var positional: [String] = [], flags: [String: String] = [:]
        var rest = arguments
        while !rest.isEmpty {
            let a = rest.removeFirst()
            if a.hasPrefix("--") {
                guard ["--edge", "--store", "--name", "--scan", "--notes"].contains(a) else { return .failure(ReducedScanError(a, "unknown option\n\(usage)")) }
                guard !rest.isEmpty else { return .failure(ReducedScanError(a, "needs a value\n\(usage)")) }
                flags[a] = rest.removeFirst()
            } else { positional.append(a) }
        }
        guard positional.count == 1 else { return .failure(ReducedScanError("REDUCED_DIR", "give one reduction folder\n\(usage)")) }
        guard (flags["--edge"] == nil) != (flags["--store"] == nil), let address = flags["--edge"] ?? flags["--store"] else {
            return .failure(ReducedScanError("--edge", "give one of --edge HOST:PORT (the edge's RPC port, 7100) or --store HOST:PORT\n\(usage)"))
        }
        let flag = flags["--edge"] != nil ? "--edge" : "--store"
        guard let token = environment["SPOTFINDER_TOKEN"], !token.isEmpty else {
            return .failure(ReducedScanError("SPOTFINDER_TOKEN", "storing a scan needs the deployment token in the environment"))
        }
        let record: ReducedScanRecord
        do { record = try ReductionFolder.record(folder: positional[0], scanDirectory: flags["--scan"], name: flags["--name"], notes: flags["--notes"] ?? "") } catch {
            return .failure(error)
        }
        do throws(RPCError) {
            let client = ReducedScanClient(rpc: try RPCClient(address: address, config: RPCClientConfig(token: token)))
            let summary = try await client.put(record, token: token, deadline: .after(seconds: 300))
            let f = record.facts
            return .success("stored \(f.name) (\(f.width) × \(f.height), \(f.maps.count) maps and the validity, revision \(summary.revision)) at \(address)")
        } catch {
            return .failure(ReducedScanError(flag, "\(address): \(error.code): \(error.message)"))
        }
    }
}
