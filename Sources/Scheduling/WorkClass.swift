/// The two classes of work the cluster tells apart. Interactive work (a spectrum, a tilt distribution,
/// a snap, a plot: what a user waits for while a slider moves) is always served first and never waits
/// behind batch work (spot maps, exports, imports, reductions: minutes of CPU that nobody watches
/// millisecond by millisecond). Batch work is admitted within budgets (`AdmissionController`) and
/// computed on threads of lower priority (`PriorityThreads`).
public enum WorkClass: String, Sendable, CaseIterable, CustomStringConvertible {
    case interactive
    case batch

    public var description: String { rawValue }
}
