import RPC

/// Long synchronous drawing in tests runs on a thread of its own: the concurrency pool has about one thread
/// per core, and RPC servers of tests running in parallel need it to answer within their deadlines.
func offPoolThrowing<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await offPool { () -> Result<T, any Error> in Result { try body() } }.get()
}

/// A failed check in work done off the pool (where #expect has no test to report to): thrown, the test fails with it.
struct CheckFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckFailed(message()) }
}
