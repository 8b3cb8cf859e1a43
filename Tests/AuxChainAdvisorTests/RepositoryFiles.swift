import Foundation

/// Files of this repository that the advisor's advice points people to.
enum RepositoryFiles {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let knowledge = root.appendingPathComponent("Sources/AuxChainAdvisor/Resources/knowledge.json")

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    static func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(relativePath).path)
    }

    /// Every `Hardware/…` path named in a text, without trailing punctuation.
    static func hardwarePaths(in text: String) -> [String] {
        text.matches(of: #/Hardware/[A-Za-z0-9_./-]+/#).map { match in
            var path = String(match.output)
            while path.hasSuffix(".") || path.hasSuffix("/") { path.removeLast() }
            return path
        }
    }
}
