import Foundation

/// What went wrong reading the edge or Slurm, or with the scaler's settings: a sentence naming the
/// metric, command or flag and what was expected.
public struct ScalingError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The edge's load at one look, read from its Prometheus text at /metrics. Pure.
public struct MetricsSnapshot: Sendable, Equatable {
    /// Healthy registered nodes, the cores they offer, and chunks being computed on them now.
    public var nodes: Int
    public var capacity: Int
    public var chunksInFlight: Int
    /// `spotfinder_chunk_seconds` (sum and count since the edge started); nil for an edge without it.
    public var chunkSecondsSum: Double?
    public var chunkCount: Double?
    /// Work waiting at the edge for a node, when the edge reports it (the sum over `queueDepthMetric`'s series).
    public var queueDepth: Double?
    /// The registered nodes' ids (from `spotfinder_node_chunks_total{node="…"}`).
    public var nodeIds: Set<String>

    /// The gauge an edge with admission queues reports its waiting work as: read when present, so queued
    /// work counts as pressure without any other change here.
    public static let queueDepthMetric = "spotfinder_queue_depth"

    public init(nodes: Int, capacity: Int, chunksInFlight: Int, chunkSecondsSum: Double? = nil, chunkCount: Double? = nil,
                queueDepth: Double? = nil, nodeIds: Set<String> = []) {
        self.nodes = nodes
        self.capacity = capacity
        self.chunksInFlight = chunksInFlight
        self.chunkSecondsSum = chunkSecondsSum
        self.chunkCount = chunkCount
        self.queueDepth = queueDepth
        self.nodeIds = nodeIds
    }

    /// Parse the text; the node gauges must be there (else it is not a Spotfinder edge's /metrics).
    public init(prometheusText text: String) throws(ScalingError) {
        var values: [String: Double] = [:]
        var queue: Double?
        var ids: Set<String> = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let name = series.prefix { $0 != "{" }
            if name == Self.queueDepthMetric { queue = (queue ?? 0) + value }
            if name == "spotfinder_node_chunks_total", let id = Self.label("node", in: series) { ids.insert(id) }
            if !series.contains("{") { values[String(name)] = value }
        }
        func gauge(_ name: String) throws(ScalingError) -> Int {
            guard let v = values[name], v.isFinite, v >= 0 else {
                throw ScalingError("the edge's /metrics has no \(name): is this a Spotfinder edge (GET /metrics with the deployment token)?")
            }
            return Int(v)
        }
        self.init(nodes: try gauge("spotfinder_nodes"), capacity: try gauge("spotfinder_node_capacity"),
                  chunksInFlight: try gauge("spotfinder_chunks_in_flight"),
                  chunkSecondsSum: values["spotfinder_chunk_seconds_sum"], chunkCount: values["spotfinder_chunk_seconds_count"],
                  queueDepth: queue, nodeIds: ids)
    }

    /// A label's value in `name{a="x",b="y"}` (values here are node ids and addresses: no escaped quotes).
    static func label(_ key: String, in series: Substring) -> String? {
        guard let start = series.range(of: "\(key)=\"") else { return nil }
        let rest = series[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}

/// The load between two looks at the edge: now (nodes, chunks in flight, queue) and over the interval
/// (chunks answered, their mean time). Pure.
public struct EdgeLoad: Sendable, Equatable {
    public var nodes: Int
    public var capacity: Int
    public var chunksInFlight: Int
    /// Chunks answered since the previous look (0 at the first look).
    public var chunksAnswered: Int
    /// Their mean time on the node as the edge waited for them; nil when none was answered.
    public var meanChunkSeconds: Double?
    public var queueDepth: Double?
    public var nodeIds: Set<String>

    public init(nodes: Int, capacity: Int, chunksInFlight: Int, chunksAnswered: Int = 0, meanChunkSeconds: Double? = nil,
                queueDepth: Double? = nil, nodeIds: Set<String> = []) {
        self.nodes = nodes
        self.capacity = capacity
        self.chunksInFlight = chunksInFlight
        self.chunksAnswered = chunksAnswered
        self.meanChunkSeconds = meanChunkSeconds
        self.queueDepth = queueDepth
        self.nodeIds = nodeIds
    }

    /// The load since `previous` (nil: the first look). A counter that went down means the edge restarted:
    /// everything it counted is new.
    public init(previous: MetricsSnapshot?, current: MetricsSnapshot) {
        var answered = 0
        var mean: Double?
        if let count = current.chunkCount, let sum = current.chunkSecondsSum {
            let restarted = (previous?.chunkCount ?? 0) > count
            let dCount = previous?.chunkCount.map { restarted ? count : count - $0 } ?? 0
            let dSum = previous?.chunkSecondsSum.map { restarted ? sum : sum - $0 } ?? 0
            answered = Int(dCount)
            if dCount > 0 { mean = dSum / dCount }
        }
        self.init(nodes: current.nodes, capacity: current.capacity, chunksInFlight: current.chunksInFlight, chunksAnswered: answered,
                  meanChunkSeconds: mean, queueDepth: current.queueDepth, nodeIds: current.nodeIds)
    }

    /// Chunks in flight per offered core: above 1, chunks wait on the nodes' threads.
    public var utilisation: Double {
        capacity > 0 ? Double(chunksInFlight) / Double(capacity) : (chunksInFlight > 0 ? .infinity : 0)
    }

    /// Work in flight or waiting at the edge.
    public var demand: Double { Double(chunksInFlight) + max(0, queueDepth ?? 0) }

    /// Nothing computing, nothing answered since the last look, nothing waiting.
    public var isIdle: Bool { chunksInFlight == 0 && chunksAnswered == 0 && (queueDepth ?? 0) <= 0 }
}
