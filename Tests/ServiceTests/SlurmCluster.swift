import Foundation
import RPC
import Testing

/// A throw-away one-host Slurm cluster: its own slurm.conf and munge key in a temporary folder, munged,
/// slurmctld and slurmd started here as child processes (never the system's daemons, keys or files), and
/// everything stopped by PID in `stop()`, the jobs' processes included.
final class SlurmCluster: @unchecked Sendable {
    let folder: String
    var conf: String { folder + "/slurm.conf" }
    private var daemons: [Daemon] = []

    /// Why this machine cannot run the daemons at all, or nil when it can.
    static var cannotRun: String? {
        if getuid() != 0 {
            return "the Slurm test starts slurmctld and slurmd as SlurmUser=root, which needs root (uid \(getuid()) here): run the suite as root, as CI does"
        }
        return nil
    }

    /// The daemons and client commands, installed by scripts/install-deps.
    static let programs = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue",
                           "/usr/bin/scancel", "/usr/bin/sinfo"]

    /// For every Slurm client command: this cluster, never the system's.
    var environment: [String: String] { ["SLURM_CONF": conf] }

    private init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-slurm-\(UUID().uuidString.prefix(8))").path
        for sub in ["", "/state", "/spool", "/log", "/run", "/jobs"] {
            try FileManager.default.createDirectory(atPath: folder + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Write the files, start munged, slurmctld and slurmd, and wait until the node is idle (about a second).
    static func start() async throws -> SlurmCluster {
        for p in programs where !FileManager.default.isExecutableFile(atPath: p) {
            throw ProcessFailure(message: "\(p) is missing: scripts/install-deps installs slurmctld, slurmd, slurm-client and munge")
        }
        let c = try SlurmCluster()
        do {
            try await c.boot()
        } catch {
            let logs = c.logTail()
            c.stop()
            throw ProcessFailure(message: "\(error); daemon logs: \(logs)")
        }
        return c
    }

    private func boot() async throws {
        // A key of its own (munged wants it readable by its owner only), never /etc/munge/munge.key.
        var key = [UInt8](repeating: 0, count: 128)
        for i in key.indices { key[i] = UInt8.random(in: 0...255) }
        guard FileManager.default.createFile(atPath: folder + "/munge.key", contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw ProcessFailure(message: "cannot write \(folder)/munge.key")
        }
        let socket = folder + "/munge.sock"
        try launch("munged", "/usr/sbin/munged", ["--foreground", "--force", "--key-file=\(folder)/munge.key", "--socket=\(socket)",
                                                   "--pid-file=\(folder)/run/munged.pid", "--log-file=\(folder)/log/munged.log",
                                                   "--seed-file=\(folder)/munged.seed"])
        try await poll("munged's socket", timeout: 10) { FileManager.default.fileExists(atPath: socket) }
        // The host as the only node, with what slurmd finds on it (its real CPUs and memory).
        let node = try await run("/usr/sbin/slurmd", ["-C"], environment: environment)
        guard let nodeLine = node.stdout.split(separator: "\n").first(where: { $0.hasPrefix("NodeName=") }) else {
            throw ProcessFailure(message: "slurmd -C printed no NodeName line: \(node.stdout) \(node.stderr)")
        }
        let host = String(nodeLine.dropFirst("NodeName=".count).prefix { $0 != " " })
        let ctldPort = try Self.freePort(), slurmdPort = try Self.freePort()
        let text = """
            # A one-host cluster for SlurmTests: every path in \(folder).
            ClusterName=spotfindertest
            SlurmctldHost=\(host)(127.0.0.1)
            SlurmctldPort=\(ctldPort)
            SlurmdPort=\(slurmdPort)
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket=\(socket)
            StateSaveLocation=\(folder)/state
            SlurmdSpoolDir=\(folder)/spool
            SlurmctldPidFile=\(folder)/run/slurmctld.pid
            SlurmdPidFile=\(folder)/run/slurmd.pid
            SlurmctldLogFile=\(folder)/log/slurmctld.log
            SlurmdLogFile=\(folder)/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SchedulerType=sched/builtin
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            MpiDefault=none
            ReturnToService=2
            KillWait=5
            \(nodeLine) NodeAddr=127.0.0.1 State=UNKNOWN
            PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP

            """
        try text.write(toFile: conf, atomically: true, encoding: .utf8)
        try launch("slurmctld", "/usr/sbin/slurmctld", ["-D", "-i"])
        try launch("slurmd", "/usr/sbin/slurmd", ["-D"])
        try await poll("the node to be idle", timeout: 30) {
            (try? await run("/usr/bin/sinfo", ["--noheader", "--format", "%t"], environment: environment, timeout: 5))?.stdout
                .trimmingCharacters(in: .whitespacesAndNewlines) == "idle"
        }
    }

    private func launch(_ name: String, _ path: String, _ arguments: [String]) throws {
        daemons.append(try Daemon(name: name, path: path, arguments: arguments, environment: environment, log: "\(folder)/log/\(name).stderr"))
    }

    /// A Slurm client command against this cluster.
    func slurm(_ command: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessResult {
        let r = try await run("/usr/bin/\(command)", arguments, environment: environment.merging(extra) { _, b in b }, timeout: 30)
        guard r.status == 0 else { throw ProcessFailure(message: "\(command) \(arguments.joined(separator: " ")): status \(r.status): \(r.stderr)") }
        return r
    }

    /// The cluster's jobs by their own ids (squeue %A; an array element's too, which node ids carry):
    /// the name scancel takes (%i: ARRAYID_TASK for an array element, which Slurm 22.05's scancel needs) and state.
    func jobs() async throws -> [String: (name: String, state: String)] {
        let out = try await slurm("squeue", ["--noheader", "--format", "%A %i %T"]).stdout
        var jobs: [String: (name: String, state: String)] = [:]
        for line in out.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 3 { jobs[String(f[0])] = (String(f[1]), String(f[2])) }
        }
        return jobs
    }

    /// The daemons' logs' last lines, for a failure message.
    func logTail() -> String {
        ["slurmctld.log", "slurmd.log", "munged.log", "slurmctld.stderr", "slurmd.stderr", "munged.stderr"].compactMap { name in
            guard let text = try? String(contentsOfFile: "\(folder)/log/\(name)", encoding: .utf8), !text.isEmpty else { return nil }
            return "\(name): " + text.split(separator: "\n").suffix(6).joined(separator: " | ")
        }.joined(separator: "\n")
    }

    /// Cancel every job and wait (bounded) for the queue to empty; then stop slurmd, slurmctld and munged by PID;
    /// then any process still carrying this cluster's SLURM_CONF in its environment (job steps, nodes, slurmstepd)
    /// by PID too. Safe to call twice.
    func stop() {
        if daemons.contains(where: { $0.name == "slurmctld" && $0.isRunning }) {
            _ = runBlocking("/usr/bin/scancel", ["--user", "root"])
            let deadline = Deadline.after(seconds: 8)
            while !deadline.hasPassed, let queue = runBlocking("/usr/bin/squeue", ["--noheader", "--format", "%A"]), !queue.isEmpty {
                usleep(100_000)
            }
        }
        for d in daemons.reversed() { d.stop() }
        for pid in Self.processes(withEnvironment: "SLURM_CONF=\(conf)") where pid != getpid() { kill(pid, SIGKILL) }
        daemons = []
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A client command's output, run to its end on this thread (for `stop`, which may run where nothing can be awaited); nil if it failed.
    private func runBlocking(_ path: String, _ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// PIDs of processes whose environment holds `entry` exactly (read from /proc/PID/environ).
    static func processes(withEnvironment entry: String) -> [pid_t] {
        let wanted = Array(entry.utf8)
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name -> pid_t? in
            guard let pid = pid_t(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/environ") else { return nil }
            return data.split(separator: 0).contains { Array($0) == wanted } ? pid : nil
        }
    }

    static func freePort() throws -> UInt16 {
        let s = try Socket.listen(host: "127.0.0.1", port: 0)
        defer { s.close() }
        return s.localPort
    }

    deinit { if !daemons.isEmpty { stop() } }
}

/// Poll `condition` every 50 ms until it holds or `timeout` seconds pass (then fail naming `what`).
func poll(_ what: String, timeout: Double, _ condition: () async throws -> Bool) async throws {
    let deadline = Deadline.after(seconds: timeout)
    while !deadline.hasPassed {
        if try await condition() { return }
        try await Task.sleep(nanoseconds: 50_000_000)
    }
    throw ProcessFailure(message: "timed out after \(timeout) s waiting for \(what)")
}

/// A daemon started with posix_spawn, not Foundation's `Process`: munged and slurmctld close the descriptors
/// they inherit, and Foundation then waits for them with a blocking waitpid on the one thread that reaps every
/// `Process`, so no other child's exit would ever be seen. Its output goes to `log`; it is stopped by PID.
final class Daemon: @unchecked Sendable {
    let name: String
    let pid: pid_t
    private var exited = false

    init(name: String, path: String, arguments: [String], environment: [String: String], log: String) throws {
        self.name = name
        let env = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }.map { "\($0)=\($1)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process's (sockets, other children's pipes) leaks into the daemon.
        // (glibc ignores a close of a descriptor that is no longer open when the daemon starts.)
        for fd in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var pid: pid_t = 0
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        // Signals as a shell would give them: this process's threads (Dispatch's among them) block signals, and a
        // child inherits the mask, which would leave a daemon deaf to SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard status == 0 else { throw ProcessFailure(message: "cannot start \(path): \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Not yet exited (reaping it if it has).
    var isRunning: Bool {
        if exited { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exited = true }
        return !exited
    }

    /// SIGTERM, up to 5 s to exit, then SIGKILL; reaped either way.
    func stop() {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Deadline.after(seconds: 5)
        while isRunning && !deadline.hasPassed { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            exited = true
        }
    }
}
