import ALSA
import ArgumentParser

extension AuxChain {
    struct Devices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List ALSA PCMs, sound cards and GPIO chips.",
            discussion: """
                Use a PCM name from this list as [audio] capture or playback. Prefer the stable \
                form hw:CARD=<id>,DEV=0 over card numbers, which change between boots.
                """)

        func run() async throws {
            let cards = DeviceCatalog.cards()
            print("Sound cards:")
            if cards.isEmpty { print("  none (no sound card found; is the USB dongle or HAT connected and its overlay enabled?)") }
            for card in cards {
                print("  \(card.index): \(card.id) — \(card.longName.isEmpty ? card.name : card.longName)")
            }
            print("\nPCMs:")
            for pcm in DeviceCatalog.pcms() {
                let directions = [pcm.canCapture ? "capture" : nil, pcm.canPlay ? "playback" : nil].compactMap { $0 }.joined(separator: "+")
                print("  \(pcm.name)  [\(directions)]\(pcm.summary.isEmpty ? "" : "  \(pcm.summary)")")
            }
        }
    }
}
