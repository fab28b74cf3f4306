import API
import Foundation
import RadiatorStore
import RPC
import ServiceClients
import Synchronization
import Topography
import TopographStoreCore
import Wire
import WireMapping

/// `POST /api/import?filename=NAME[&thetah=…&thetav=…&thickness_um=…]`: a radiator file (JSON, CSV, or
/// ROOT through the project's converter) as the body, the deployment's token in `X-Spotfinder-Token`.
/// Parsed and validated here, stored by the topograph-store's ImportRadiator (which checks the token).
/// Answers 200 with the radiator's summary, or 400 `{error, parameter | line}`, 401/403 for the token.
public struct EdgeImport: Sendable {
    public static let tokenHeader = "X-Spotfinder-Token"
    public let store: TopographStoreClient
    /// The deployment's token as the edge knows it: a wrong one is refused before any parsing or
    /// conversion work (the store checks again). Empty: only the store checks.
    public let token: String
    /// How long a ROOT conversion may take, and how many may run at once (each is a Python process
    /// of ~100 MB): more uploads at the same time are told to retry.
    public let conversionSeconds: Double
    public let maxConversions: Int
    private let conversions = Gauge()

    final class Gauge: Sendable {
        let value = Atomic<Int>(0)
    }

    public init(store: TopographStoreClient, token: String, conversionSeconds: Double = 120, maxConversions: Int = 2) {
        self.store = store
        self.token = token
        self.conversionSeconds = conversionSeconds
        self.maxConversions = maxConversions
    }

    public struct Answer: Sendable {
        public let status: Int
        public let json: Data
    }

    /// The 401 for a missing or wrong token (nil: it may go on). Asked from the request's head, before
    /// its body is read, and again in `handle`.
    public func tokenRefusal(_ token: String?) -> Answer? {
        guard let token, !token.isEmpty else {
            return Self.answer(401, ["error": "import needs the deployment's token (SPOTFINDER_TOKEN) in the \(Self.tokenHeader) header",
                                     "parameter": "token"])
        }
        if !self.token.isEmpty && !tokenMatches(token, self.token) {
            return Self.answer(401, ["error": "import refused: wrong token in the \(Self.tokenHeader) header", "parameter": "token"])
        }
        return nil
    }

    public func handle(body: Data, query: String, token: String?, deadline: Deadline) async -> Answer {
        if let refusal = tokenRefusal(token) { return refusal }
        guard let token else { return Self.answer(401, ["error": "import needs the deployment's token", "parameter": "token"]) }
        do {
            let radiator = try await parse(body: body, query: query)
            let response: ImportRadiatorResponse = try await store.rpc.call(
                TopographStoreService.importRadiator, ImportRadiatorRequest(radiator: RadiatorMessage(radiator), token: token),
                deadline: deadline, idempotent: false)
            guard let s = response.radiator else { return Self.answer(500, ["error": "the topograph-store answered without a summary"]) }
            return Self.answer(200, ["name": s.name, "crystal": s.crystal, "thickness_um": s.thicknessUm, "views": s.views,
                                     "width_mm": s.widthMm, "height_mm": s.heightMm, "rms_tilt_urad": s.rmsTiltUrad,
                                     "pixel_mm": s.pixelMm, "notes": s.notes, "revision": s.revision])
        } catch let e as RadiatorError {
            return Self.failure(e.message)
        } catch let e as ParameterError {
            return Self.answer(400, ["error": e.message, "parameter": e.parameter])
        } catch let e as RPCError {
            let status = switch e.code {
            case .invalidArgument, .outOfRange, .failedPrecondition: 400
            case .unauthenticated: 401
            case .permissionDenied: 403
            case .deadlineExceeded: 504
            case .unavailable: 503
            default: 500
            }
            // Only what the user can act on: internal addresses and service errors stay in the log.
            let message = switch status {
            case 400, 401, 403: e.message
            case 503: "the radiator store is unavailable; try again shortly"
            case 504: "the import did not finish in time; try again"
            default: "the import failed inside Spotfinder; the edge's log has the details"
            }
            return status == 400 ? Self.failure(message) : Self.answer(status, ["error": message, "status": e.code.description])
        } catch {
            return Self.answer(500, ["error": "import failed"])
        }
    }

    enum Format: String { case json, csv, root }

    func parse(body: Data, query: String) async throws -> Radiator {
        var options: [String: String] = [:]
        for (name, value) in try QueryString.parse(query) { options[name] = value }
        let filename = options.removeValue(forKey: "filename") ?? ""
        let format: Format
        if filename.isEmpty {  // no name: the content says what it is
            format = body.starts(with: Array("root".utf8)) ? .root : body.first(where: { !$0.isWhitespace }) == UInt8(ascii: "{") ? .json : .csv
        } else if let f = Format(rawValue: (filename as NSString).pathExtension.lowercased()) {
            format = f
        } else {
            throw ParameterError(parameter: "filename", message: "filename = '\(filename)': must end in .json, .csv or .root")
        }
        guard !body.isEmpty else { throw ParameterError(parameter: "body", message: "the request body is empty: send the radiator file as the body") }
        switch format {
        case .json, .csv:
            if let key = options.keys.sorted().first {
                throw ParameterError(parameter: key, message: "\(key) is not an option here: JSON and CSV files carry their own name, thickness and views "
                                                             + "(\(RootConverter.options.joined(separator: ", ")) apply to ROOT files)")
            }
            return format == .json ? try RadiatorImport.fromJSON(body)
                : try RadiatorImport.fromCSV(String(decoding: body, as: UTF8.self), source: filename.isEmpty ? "CSV" : filename)
        case .root:
            if let key = options.keys.sorted().first(where: { !RootConverter.options.contains($0) }) {
                throw ParameterError(parameter: key, message: "\(key) is not an option of ROOT import: use \(RootConverter.options.joined(separator: ", "))")
            }
            // `OTHER.root:NAME` (a map in another file) works from the CLI and Python; here it would open the server's files.
            if let key = ["thetah", "thetav", "mask"].first(where: { options[$0]?.contains(".root:") == true }) {
                throw ParameterError(parameter: key, message: "\(key) = '\(options[key]!)' names a map in another file: an upload is one ROOT file, "
                                                             + "so put both maps in it, or import the two files with `spotfinder import` or Python")
            }
            if options["name"] == nil, !filename.isEmpty { options["name"] = Self.defaultName(filename) }
            // A slot first: an upload that must retry costs no disk write.
            guard conversions.value.add(1, ordering: .relaxed).newValue <= maxConversions else {
                conversions.value.subtract(1, ordering: .relaxed)
                throw RPCError(.unavailable, "\(maxConversions) ROOT conversions are running already: retry in a few seconds")
            }
            defer { conversions.value.subtract(1, ordering: .relaxed) }
            // Under its own name in a private folder: the converter's messages then name the sender's file.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spotfinder-upload-\(UUID().uuidString)")
            let file = folder.appendingPathComponent((filename.isEmpty ? "upload" : Self.defaultName(filename)) + ".root")
            defer { try? FileManager.default.removeItem(at: folder) }  // also when the write below fails half-way
            guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil,
                  FileManager.default.createFile(atPath: file.path, contents: body) else { throw RadiatorError("cannot store the upload for conversion") }
            let seconds = conversionSeconds
            let given = options
            let result: Result<Radiator, RadiatorError> = await offPool {
                do throws(RadiatorError) { return .success(try RootConverter.convert(file.path, options: given, timeoutSeconds: seconds)) } catch {
                    return .failure(error)
                }
            }
            return try result.get()
        }
    }

    /// A radiator name from an uploaded file's name (the converter would see only the temporary file).
    static func defaultName(_ filename: String) -> String {
        let stem = ((filename as NSString).lastPathComponent as NSString).deletingPathExtension
        let cleaned = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" }.prefix(64))
        let trimmed = cleaned.drop { $0 == "." }
        return trimmed.isEmpty ? "radiator" : String(trimmed)
    }

    /// 400 with the parameter (a message that starts with one) or the file's line number, when the message names them.
    static func failure(_ message: String) -> Answer {
        var body: [String: Any] = ["error": message]
        let first = message.prefix { $0.isLetter || $0 == "_" }
        if RootConverter.options.contains(String(first)) || first == "thickness_um" || first == "crystal" {
            body["parameter"] = String(first)
        } else if message.hasPrefix("name '") {
            body["parameter"] = "name"
        }
        if let range = message.range(of: #"line (\d+)"#, options: .regularExpression),
           let n = Int(message[range].dropFirst(5)) {
            body["line"] = n
        }
        return answer(400, body)
    }

    static func answer(_ status: Int, _ body: [String: Any]) -> Answer {
        Answer(status: status, json: (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D || self == 0xEF || self == 0xBB || self == 0xBF }
}
