import GPIO
import Testing

@Suite struct DebouncerTests {
    @Test func aChangeCountsOnceTheLineHasBeenStillForThePeriod() {
        var debouncer = Debouncer(period: .milliseconds(30), value: .inactive)
        debouncer.lineChanged(to: .active, at: .milliseconds(100))

        #expect(debouncer.deadline == .milliseconds(130))
        #expect(debouncer.settle(at: .milliseconds(129)) == nil)
        #expect(debouncer.value == .inactive)
        #expect(debouncer.settle(at: .milliseconds(130)) == .active)
        #expect(debouncer.value == .active)
        #expect(debouncer.deadline == nil)
    }

    @Test func everyBounceRestartsTheTimer() {
        var debouncer = Debouncer(period: .milliseconds(30), value: .inactive)
        debouncer.lineChanged(to: .active, at: .milliseconds(0))
        debouncer.lineChanged(to: .inactive, at: .milliseconds(5))
        debouncer.lineChanged(to: .active, at: .milliseconds(12))

        #expect(debouncer.settle(at: .milliseconds(30)) == nil)
        #expect(debouncer.deadline == .milliseconds(42))
        #expect(debouncer.settle(at: .milliseconds(42)) == .active)
    }

    @Test func aGlitchThatSettlesBackReportsNothing() {
        var debouncer = Debouncer(period: .milliseconds(30), value: .active)
        debouncer.lineChanged(to: .inactive, at: .milliseconds(10))
        debouncer.lineChanged(to: .active, at: .milliseconds(11))

        #expect(debouncer.settle(at: .milliseconds(41)) == nil)
        #expect(debouncer.value == .active)
        #expect(debouncer.deadline == nil)
    }

    @Test func theRawValueFollowsEveryBounceWhileTheValueWaits() {
        var debouncer = Debouncer(period: .milliseconds(30), value: .inactive)
        debouncer.lineChanged(to: .active, at: .zero)

        #expect(debouncer.rawValue == .active)
        #expect(debouncer.value == .inactive)
    }
}
