import Foundation

/// Finds the line of a key in TOML text, since the parsed tree keeps no positions.
///
/// Understands `[table]`, `[[array.of.tables]]` (numbered per occurrence, as `name[0]`),
/// `key = value` and dotted keys; a key inside an inline table resolves to its parent's line.
struct KeyLocator {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var section = ""
        var arrayCounts: [String: Int] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[[") {
                let name = Self.headerName(line.dropFirst(2))
                let occurrence = arrayCounts[name, default: 0]
                arrayCounts[name] = occurrence + 1
                section = "\(name)[\(occurrence)]"
                lines[section] = lineNumber
            } else if line.hasPrefix("[") {
                section = Self.headerName(line.dropFirst())
                lines[section] = lineNumber
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = line[..<equals].split(separator: ".")
                    .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
                    .joined(separator: ".")
                let path = section.isEmpty ? key : "\(section).\(key)"
                if lines[path] == nil { lines[path] = lineNumber }
            }
        }
    }

    /// The line of `keyPath`, or of the nearest enclosing key or table that has one.
    func line(of keyPath: String) -> Int? {
        var path = keyPath
        while !path.isEmpty {
            if let line = lines[path] { return line }
            if path.hasSuffix("]"), let open = path.lastIndex(of: "[") {
                path = String(path[..<open])
            } else if let dot = path.lastIndex(of: ".") {
                path = String(path[..<dot])
            } else {
                return nil
            }
        }
        return nil
    }

    private static func headerName(_ rest: Substring) -> String {
        let name = rest.prefix { $0 != "]" }
        return name.split(separator: ".").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ".")
    }
}


