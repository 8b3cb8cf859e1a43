import Testing

@testable import AuxChainDaemon

@Suite struct ControlServerFramingTests {
    func feed(_ framer: inout LineFramer, _ text: String) {
        Array(text.utf8).withUnsafeBytes { framer.append($0) }
    }

    func lines(_ framer: inout LineFramer) -> [LineFramer.Line] {
        var lines: [LineFramer.Line] = []
        while let line = framer.nextLine() { lines.append(line) }
        return lines
    }

    func line(_ text: String) -> LineFramer.Line { .complete(Array(text.utf8)) }

    @Test("lines split across reads come out whole")
    func splitAcrossReads() {
        var framer = LineFramer(maximumLineBytes: 64)
        feed(&framer, "{\"cmd\":")
        #expect(lines(&framer).isEmpty)
        feed(&framer, "\"status\"}\n{\"cmd\"")
        #expect(lines(&framer) == [line("{\"cmd\":\"status\"}")])
        feed(&framer, ":\"mute\"}\r\n\n")
        #expect(lines(&framer) == [line("{\"cmd\":\"mute\"}\r"), line("")])
        #expect(framer.pendingCount == 0)
    }

    @Test("a line of exactly the limit passes; one byte more is too long")
    func limitIsInclusive() {
        var framer = LineFramer(maximumLineBytes: 8)
        feed(&framer, "12345678\n123456789\nok\n")
        #expect(lines(&framer) == [line("12345678"), .tooLong, line("ok")])
    }

    @Test("a long line growing over many reads is reported once and discarded to its newline")
    func longLineDiscarded() {
        var framer = LineFramer(maximumLineBytes: 8)
        var reported: [LineFramer.Line] = []
        for _ in 0..<100 {
            feed(&framer, "xxxxxxx")
            reported += lines(&framer)
            #expect(framer.pendingCount <= 8)
        }
        feed(&framer, "xx\nnext\n")
        reported += lines(&framer)
        #expect(reported == [.tooLong, line("next")])
    }

    @Test("at end of input the unterminated last line is returned")
    func finishReturnsRemainder() {
        var framer = LineFramer(maximumLineBytes: 16)
        feed(&framer, "a\nlast")
        #expect(lines(&framer) == [line("a")])
        #expect(framer.finish() == line("last"))
        #expect(framer.finish() == nil)
    }

    @Test("at end of input a discarded line stays discarded")
    func finishAfterDiscard() {
        var framer = LineFramer(maximumLineBytes: 4)
        feed(&framer, "toolong")
        #expect(lines(&framer) == [.tooLong])
        feed(&framer, "more")
        #expect(lines(&framer).isEmpty)
        #expect(framer.finish() == nil)
    }
}
