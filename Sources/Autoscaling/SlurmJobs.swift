import Foundation
import RPC

/// The scaler's node jobs on Slurm: submitted with `sbatch`, listed with `squeue`, cancelled with `scancel`
/// (the client commands on PATH; SLURM_CONF and the rest of the environment as the operator set them).
/// All of them are named `jobName`, so the scaler only ever sees and cancels its own jobs.
public struct SlurmJobs: Sendable {
    /// The job script (Compose/slurm-cobrems-nodes.sh) and its argument, the edge's RPC address.
    public let script: String
    public let edge: String
    public let jobName: String
    /// More `sbatch` options (partition, account, time, cores), split on spaces.
    public let sbatchOptions: [String]
    /// How long one command may take before it is given up (a slurmctld that does not answer).
    public let commandSeconds: Double

    public init(script: String, edge: String, jobName: String, sbatchOptions: [String], commandSeconds: Double = 30) {
        self.script = script
        self.edge = edge
        self.jobName = jobName
        self.sbatchOptions = sbatchOptions
        self.commandSeconds = commandSeconds
    }

    /// The scaler's jobs that are still around.
    public func list() async throws(ScalingError) -> [NodeJob] {
        let out = try await run("squeue", ["--noheader", "--me", "--name", jobName, "--format", "%i %T"])
        return try Self.parseQueue(out)
    }

    /// Submit one node job; its id.
    public func submit() async throws(ScalingError) -> String {
        let out = try await run("sbatch", ["--parsable", "--job-name", jobName] + sbatchOptions + [script, edge])
        // --parsable: "ID" or "ID;CLUSTER".
        let id = out.split(separator: "\n").last.map { String($0.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces) } ?? ""
        guard !id.isEmpty, id.allSatisfy({ $0.isNumber }) else { throw ScalingError("sbatch did not answer with a job id: '\(out)'") }
        return id
    }

    public func cancel(_ ids: [String]) async throws(ScalingError) {
        guard !ids.isEmpty else { return }
        _ = try await run("scancel", ids)
    }

    /// `squeue --format "%i %T"` lines: id and state.
    public static func parseQueue(_ text: String) throws(ScalingError) -> [NodeJob] {
        var jobs: [NodeJob] = []
        for line in text.split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2 else { throw ScalingError("squeue printed '\(line)', expected 'JOBID STATE'") }
            let state: NodeJob.State
            switch fields[1] {
            case "PENDING", "CONFIGURING", "REQUEUED", "RESIZING", "SUSPENDED": state = .pending
            case "RUNNING": state = .running
            default: state = .leaving  // COMPLETING, CANCELLED, FAILED, TIMEOUT, …
            }
            jobs.append(NodeJob(id: String(fields[0]), state: state))
        }
        return jobs
    }

    /// Run a Slurm client command to its end (off the concurrency pool), its standard output; a sentence on failure.
    func run(_ command: String, _ arguments: [String]) async throws(ScalingError) -> String {
        let seconds = commandSeconds
        let result = await offPool { () -> Result<String, ScalingError> in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [command] + arguments
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            do { try p.run() } catch { return .failure(ScalingError("\(command) could not be started: \(error)")) }
            let killer = DispatchWorkItem { p.terminate() }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
            // Standard error on a thread of its own, so neither pipe can fill up and stall the command.
            let errText = Collected(), reading = DispatchGroup()
            reading.enter()
            Thread { errText.data = err.fileHandleForReading.readDataToEndOfFile(); reading.leave() }.start()
            let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            reading.wait()
            p.waitUntilExit()
            killer.cancel()
            guard p.terminationReason == .exit, p.terminationStatus == 0 else {
                let why = p.terminationReason == .uncaughtSignal ? "was stopped after \(Int(seconds)) s" : "exited with status \(p.terminationStatus)"
                return .failure(ScalingError("\(command) \(arguments.joined(separator: " ")) \(why): "
                                             + String(decoding: errText.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            return .success(o)
        }
        return try result.get()
    }
}

/// Bytes one thread collects and another reads after `DispatchGroup.wait` (which orders the two).
private final class Collected: @unchecked Sendable {
    var data = Data()
}
