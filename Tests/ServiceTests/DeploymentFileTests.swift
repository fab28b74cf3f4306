import Foundation
import Testing

/// Compose/'s Docker files cannot run here (no Docker engine): check that every program and flag they name exists.
/// (The Slurm script runs for real in SlurmTests.)
@Suite struct DeploymentFileTests {
    static let programs = ["edge", "cobrems-node", "topograph-store", "tilt-service", "plot-renderer"]

    /// (program, flags) for each place a file runs one of the programs: the program as a command word
    /// (after `"`, `/` or `exec `, not `name:port`), its flags to the end of the logical line.
    static func commands(in text: String) -> [(String, Set<String>)] {
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        var out: [(String, Set<String>)] = []
        for line in joined.split(separator: "\n") {
            for program in programs {
                for m in line.matches(of: try! Regex("(?:\"|/|exec )\(program)(?:\"|\\s)")) {
                    let flags = Set(line[m.range.upperBound...].matches(of: /--([a-z][a-z-]*)/).map { String($0.output.1) })
                    if !flags.isEmpty { out.append((program, flags)) }
                }
            }
        }
        return out
    }

    @Test func composeAndSlurmNameRealProgramsAndFlags() async throws {
        var checked = 0
        for file in ["Compose/docker-compose.yml", "Compose/slurm-cobrems-nodes.sh", "Compose/Dockerfile", "scripts/run"] {
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent(file), encoding: .utf8)
            for (program, flags) in Self.commands(in: text) {
                let help = try await run(executable(program), ["--help"])
                #expect(help.status == 0, "\(program) --help")
                for flag in flags {
                    #expect(help.stdout.contains("--\(flag)"), "\(file): \(program) has no flag --\(flag)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 15)
    }

    /// The `spotfinder scale` commands an operator copies from the READMEs: every flag exists (quoted
    /// values, such as the sbatch options, and comments are not the scaler's flags).
    @Test func theScaleCommandsInTheReadmesNameRealFlags() async throws {
        let help = try await run(executable("spotfinder"), ["scale", "--help"])
        #expect(help.status == 0, "\(help.stderr)")
        var checked = 0
        for file in ["README.md", "Compose/README.md"] {
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent(file), encoding: .utf8)
            for line in text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("spotfinder scale ") else { continue }
                let command = String(trimmed.prefix { $0 != "#" }).replacing(/"[^"]*"|'[^']*'/, with: "")
                for m in command.matches(of: /--([a-z][a-z-]*)/) {
                    #expect(help.stdout.contains("--\(m.output.1)"), "\(file): spotfinder scale has no flag --\(m.output.1)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 10)
    }
}
