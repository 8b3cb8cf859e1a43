import ArgumentParser
import Foundation

/// A duration on the command line: `90`, `90s`, `500ms`, `2m`, `1.5h`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let value: Duration

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = text
        var scale = 1.0
        for unit in units where text.hasSuffix(unit.suffix) {
            number = String(text.dropLast(unit.suffix.count))
            scale = unit.seconds
            break
        }
        guard let amount = Double(number), amount > 0, amount.isFinite else { return nil }
        value = .milliseconds(Int64((amount * scale * 1000).rounded()))
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
