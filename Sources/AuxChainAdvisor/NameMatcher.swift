/// The result of looking a name up: the one thing meant, or the closest candidates.
public enum NameMatch<Candidate: Sendable & Hashable>: Sendable, Hashable {
    case found(Candidate)
    /// Nothing matched exactly; `suggestions` are the nearest names, best first (may be empty).
    case unknown(suggestions: [Candidate])
}

/// Matches what a person types ("dot 3", "Echo Dot 3rd gen", "echo dot with clock 5") against
/// names and aliases, and suggests the nearest ones when nothing matches.
public struct NameMatcher<Candidate: Sendable & Hashable>: Sendable {
    private let keyed: [(key: String, candidate: Candidate)]

    /// - Parameter names: every name a candidate goes by (its display name, id and aliases).
    public init(_ candidates: [Candidate], names: (Candidate) -> [String]) {
        var keyed: [(key: String, candidate: Candidate)] = []
        for candidate in candidates {
            var keys: [String] = []
            for name in names(candidate) {
                let key = NameNormaliser.normalise(name)
                keys.append(key)
                // "Echo Dot (3rd Gen)" is just as often called "Dot 3".
                if key.hasPrefix("echo "), key.count > 5 { keys.append(String(key.dropFirst(5))) }
            }
            for key in Set(keys) where !key.isEmpty { keyed.append((key, candidate)) }
        }
        self.keyed = keyed.sorted { $0.key < $1.key }
    }

    /// The single candidate whose normalised name equals the input; otherwise suggestions.
    public func match(_ text: String) -> NameMatch<Candidate> {
        let key = NameNormaliser.normalise(text)
        let exact = unique(keyed.filter { $0.key == key }.map(\.candidate))
        if exact.count == 1 { return .found(exact[0]) }
        if !exact.isEmpty { return .unknown(suggestions: exact) }
        return .unknown(suggestions: suggestions(for: key))
    }

    /// Candidates whose names contain every word of the input, then those within a small edit
    /// distance; at most `limit`, nearest first.
    public func suggestions(for text: String, limit: Int = 3) -> [Candidate] {
        let key = NameNormaliser.normalise(text)
        guard !key.isEmpty else { return [] }
        let words = key.split(separator: " ")
        let containing = keyed.filter { entry in
            let entryWords = Set(entry.key.split(separator: " "))
            return words.allSatisfy(entryWords.contains)
        }
        let scored = keyed
            .map { (distance: NameNormaliser.editDistance(key, $0.key), gap: generationGap(key, $0.key), candidate: $0.candidate) }
            .filter { $0.distance <= max(2, key.count / 3) }
            .sorted { ($0.distance, $0.gap) < ($1.distance, $1.gap) }
        return Array(unique(containing.map(\.candidate) + scored.map(\.candidate)).prefix(limit))
    }

    /// Between equally near names, "echo dot 6" is nearer to "echo dot 5" than to "echo dot 2".
    private func generationGap(_ a: String, _ b: String) -> Int {
        guard let x = a.split(separator: " ").last.flatMap({ Int($0) }),
              let y = b.split(separator: " ").last.flatMap({ Int($0) }) else { return Int.max }
        return abs(x - y)
    }

    private func unique(_ candidates: [Candidate]) -> [Candidate] {
        var seen = Set<Candidate>()
        return candidates.filter { seen.insert($0).inserted }
    }
}

/// Turns the many ways people write a product name into one comparable key.
public enum NameNormaliser {
    static let ordinals: [String: String] = [
        "1st": "1", "first": "1", "2nd": "2", "second": "2", "3rd": "3", "third": "3",
        "4th": "4", "fourth": "4", "5th": "5", "fifth": "5", "6th": "6", "sixth": "6",
    ]
    /// Words that don't tell models apart: the with-clock variants share their jack with the plain one.
    private static let noise: Set<String> = [
        "amazon", "the", "my", "an", "a", "gen", "generation", "edition", "with", "clock", "model",
    ]

    /// Lower case, punctuation to spaces, ordinals to digits, noise words dropped.
    public static func normalise(_ text: String) -> String {
        let spaced = String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " })
        var words: [String] = []
        for word in spaced.split(separator: " ").map(String.init) {
            // "gen3" and "3gen" are written too.
            let split = splitDigitsFromLetters(word)
            for part in split {
                if noise.contains(part) { continue }
                words.append(ordinals[part] ?? part)
            }
        }
        return words.joined(separator: " ")
    }

    static func splitDigitsFromLetters(_ word: String) -> [String] {
        if ordinals[word] != nil { return [word] }
        var parts: [String] = []
        var current = ""
        for character in word {
            if let last = current.last, last.isNumber != character.isNumber {
                parts.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// Levenshtein distance over characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension KnowledgeBase {
    /// Finds the Echo model a person means, e.g. "dot 3" or "Echo Dot 3rd gen".
    public func resolveModel(_ text: String) -> NameMatch<EchoModel> {
        NameMatcher(models) { [$0.name, $0.id] + $0.aliases }.match(text)
    }

    /// What to tell someone whose Echo model isn't known: the nearest names, else the models that
    /// share a word with theirs, and that they can leave the model out and still get advice.
    public func unknownModelHelp(_ text: String) -> String {
        var help = "unknown Echo model \"\(text)\"."
        if case .unknown(let suggestions) = resolveModel(text), !suggestions.isEmpty {
            help += " Did you mean \(listed(suggestions.map { "\"\($0.name)\"" }, conjunction: "or"))?"
        } else {
            // "echo" and generation numbers are in nearly every name, so they don't make one close.
            let words = Set(NameNormaliser.normalise(text).split(separator: " ").filter { $0 != "echo" && Int($0) == nil })
            let close = models.filter { model in
                !words.isDisjoint(with: NameNormaliser.normalise(model.name).split(separator: " "))
            }
            if !close.isEmpty {
                help += " Models it knows with a word in common: \(listed(close.prefix(5).map { "\"\($0.name)\"" }, conjunction: "and"))."
            }
        }
        return help + " If yours isn't listed by `auxchain advise --list-models`, leave --echo out: the advice then says what to check on your Echo."
    }

    /// Finds a speaker named in the seed article, e.g. "JBL Flip 6".
    public func resolveSpeakerModel(_ text: String) -> NameMatch<SpeakerModel> {
        NameMatcher(speakerModels) { [$0.name, $0.id] + $0.aliases }.match(text)
    }
}
