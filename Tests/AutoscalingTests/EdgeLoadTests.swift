@testable import Autoscaling
import Testing

/// Reading the edge's /metrics text and Slurm's queue: the scaler's inputs.
@Suite struct EdgeLoadTests {
    /// The shape the edge writes (EdgeMetrics.render and EdgeHTTP's per-node lines).
    static func page(inFlight: Int, chunkSum: Double, chunkCount: Int, queue: String = "") -> String {
        """
        # HELP spotfinder_http_requests_total HTTP requests by route and status.
        # TYPE spotfinder_http_requests_total counter
        spotfinder_http_requests_total{route="/api/map",status="200"} 7
        spotfinder_http_request_seconds_bucket{route="/api/map",le="+Inf"} 7
        # TYPE spotfinder_chunk_seconds histogram
        spotfinder_chunk_seconds_bucket{le="0.005"} 0
        spotfinder_chunk_seconds_bucket{le="+Inf"} \(chunkCount)
        spotfinder_chunk_seconds_sum \(chunkSum)
        spotfinder_chunk_seconds_count \(chunkCount)
        # TYPE spotfinder_map_chunks_total counter
        spotfinder_map_chunks_total 40
        # HELP spotfinder_nodes Registered, healthy cobrems-nodes.
        # TYPE spotfinder_nodes gauge
        spotfinder_nodes 2.0
        # TYPE spotfinder_node_capacity gauge
        spotfinder_node_capacity 3.0
        # TYPE spotfinder_chunks_in_flight gauge
        spotfinder_chunks_in_flight \(inFlight).0
        \(queue)
        # TYPE spotfinder_node_chunks_total counter
        spotfinder_node_chunks_total{node="slurm-41.0",address="10.0.0.7:40123"} 25
        spotfinder_node_chunks_total{node="vm-7104-99",address="127.0.0.1:7104"} 15
        """
    }

    @Test func aSnapshotReadsTheNodeGaugesChunkTimesAndNodeIds() throws {
        let s = try MetricsSnapshot(prometheusText: Self.page(inFlight: 5, chunkSum: 12.5, chunkCount: 40))
        #expect(s == MetricsSnapshot(nodes: 2, capacity: 3, chunksInFlight: 5, chunkSecondsSum: 12.5, chunkCount: 40, queueDepth: nil,
                                     nodeIds: ["slurm-41.0", "vm-7104-99"]))
        // An admission queue's depth, per work class, adds up when the edge reports it.
        let queued = try MetricsSnapshot(prometheusText: Self.page(inFlight: 5, chunkSum: 1, chunkCount: 1, queue: """
            # TYPE spotfinder_queue_depth gauge
            spotfinder_queue_depth{class="map"} 4
            spotfinder_queue_depth{class="spectrum"} 1
            """))
        #expect(queued.queueDepth == 5)
    }

    @Test func aPageWithoutTheNodeGaugesIsNotAnEdgesMetrics() {
        #expect(throws: ScalingError("the edge's /metrics has no spotfinder_nodes: is this a Spotfinder edge (GET /metrics with the deployment token)?")) {
            try MetricsSnapshot(prometheusText: "{\"error\": \"internal page\"}")
        }
    }

    @Test func theLoadBetweenTwoLooksIsTheChunksAnsweredInBetweenAndTheirMeanTime() throws {
        let a = try MetricsSnapshot(prometheusText: Self.page(inFlight: 5, chunkSum: 12.5, chunkCount: 40))
        let b = try MetricsSnapshot(prometheusText: Self.page(inFlight: 6, chunkSum: 20.5, chunkCount: 50))
        let load = EdgeLoad(previous: a, current: b)
        #expect(load.chunksAnswered == 10 && load.meanChunkSeconds == 0.8 && load.chunksInFlight == 6 && load.utilisation == 2)
        #expect(!load.isIdle)
        // The first look knows nothing of the past: no chunk time, nothing answered.
        let first = EdgeLoad(previous: nil, current: a)
        #expect(first.chunksAnswered == 0 && first.meanChunkSeconds == nil)
        // An edge restarted between looks counts from zero: its counts are all new, never negative.
        let restarted = try MetricsSnapshot(prometheusText: Self.page(inFlight: 0, chunkSum: 1.5, chunkCount: 3))
        let after = EdgeLoad(previous: b, current: restarted)
        #expect(after.chunksAnswered == 3 && after.meanChunkSeconds == 0.5)
        // Quiet: nothing in flight, nothing answered since the last look.
        #expect(EdgeLoad(previous: restarted, current: restarted).isIdle)
        // No cores at all but work in flight is as busy as it gets.
        #expect(EdgeLoad(nodes: 0, capacity: 0, chunksInFlight: 1).utilisation == .infinity)
    }

    @Test func squeueLinesBecomeJobsWithTheirState() throws {
        let jobs = try SlurmJobs.parseQueue("12 RUNNING\n13 PENDING\n 14 COMPLETING\n15 CONFIGURING\n\n")
        #expect(jobs == [NodeJob(id: "12", state: .running), NodeJob(id: "13", state: .pending),
                         NodeJob(id: "14", state: .leaving), NodeJob(id: "15", state: .pending)])
        #expect(throws: ScalingError("squeue printed 'slurm_load_jobs error: Unable to contact slurm controller', expected 'JOBID STATE'")) {
            try SlurmJobs.parseQueue("slurm_load_jobs error: Unable to contact slurm controller")
        }
    }

    @Test func theMetricsAnswerIsReadByItsContentLengthAndARefusalNamesTheToken() throws {
        let body = Array("spotfinder_nodes 1\n".utf8)
        let ok = EdgeMetricsReader.body(head: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: \(body.count)\r\n\r\n",
                                        host: "edge", port: 8080) { n in Array(body.prefix(n)) }
        #expect(try ok.get() == "spotfinder_nodes 1\n")
        let refused = EdgeMetricsReader.body(head: "HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n", host: "edge", port: 8080) { _ in Array("{}".utf8) }
        #expect(throws: ScalingError("the edge at edge:8080 refused GET /metrics (401): give the scaler the deployment token (SPOTFINDER_TOKEN or --token-file)")) {
            try refused.get()
        }
        let unframed = EdgeMetricsReader.body(head: "HTTP/1.1 200 OK\r\n\r\n", host: "edge", port: 8080) { _ in [] }
        #expect(throws: ScalingError.self) { try unframed.get() }
    }
}
