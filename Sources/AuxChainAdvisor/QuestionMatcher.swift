/// A question a user typed, matched to one of the seed article's myths or FAQ entries.
public struct QuestionMatch: Sendable, Hashable, Encodable {
    public var question: KnownQuestion
    /// How strongly the words matched; higher is surer.
    public var score: Double
}

extension KnowledgeBase {
    /// Matches free text ("hold the action button to make it a transmitter") to the known myth or
    /// FAQ question it asks, or nil when none is close enough.
    ///
    /// Each keyword phrase whose words all occur in the text counts its word count; words shared
    /// with the question's own wording count half. A match needs a score of at least 2, i.e. one
    /// two-word phrase or the equivalent.
    public func answer(to text: String) -> QuestionMatch? {
        let words = QuestionWords.of(text)
        guard !words.isEmpty else { return nil }
        let scored = questions.map { question -> QuestionMatch in
            var score = 0.0
            for keyword in question.keywords {
                let phrase = QuestionWords.of(keyword)
                if !phrase.isEmpty, phrase.isSubset(of: words) { score += Double(phrase.count) }
            }
            score += 0.5 * Double(words.intersection(QuestionWords.of(question.question)).count)
            return QuestionMatch(question: question, score: score)
        }
        guard let best = scored.max(by: { $0.score < $1.score }), best.score >= 2 else { return nil }
        return best
    }
}

enum QuestionWords {
    /// Words that carry no meaning for telling the questions apart.
    static let ignored: Set<String> = [
        "a", "an", "the", "to", "it", "its", "my", "i", "me", "you", "your", "can", "could", "is", "are",
        "does", "do", "of", "on", "for", "and", "or", "with", "how", "what", "why", "be", "as", "this",
        "that", "in", "after", "if", "will", "into", "from", "by", "so", "there", "any", "use", "using",
        "echo", "alexa", "amazon", "dot", "speaker",
    ]

    /// Lower-case words without punctuation (a decimal point survives), plural "s" dropped.
    static func of(_ text: String) -> Set<String> {
        let cleaned = String(text.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : " " })
        var words = Set<String>()
        for raw in cleaned.split(separator: " ") {
            var word = String(raw)
            while word.hasSuffix(".") { word.removeLast() }
            if word.count > 3, word.hasSuffix("s"), !word.hasSuffix("ss") { word.removeLast() }
            if !word.isEmpty, !ignored.contains(word) { words.insert(word) }
        }
        return words
    }
}
