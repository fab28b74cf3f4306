/// A TIFF file that cannot be read or written: the file and the problem, in a sentence.
public struct TIFFError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
