import ALSA
import ArgumentParser
import GPIO

extension AuxChain {
    struct Devices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "devices",
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
            print("\nGPIO chips (use the label as [gpio] chip):")
            do {
                let listing = try CharacterDeviceChip.list()
                if listing.chips.isEmpty, listing.unreadable.isEmpty { print("  none") }
                for chip in listing.chips {
                    print("  \(chip.info.path): \(chip.info.name) [\(chip.info.label)], \(chip.info.lineCount) lines")
                    let named = chip.lines.filter { $0.name != nil || $0.isUsed }
                    for line in named {
                        let use = line.isUsed ? " (in use by \(line.consumer ?? "the kernel"))" : ""
                        print("    \(line.offset): \(line.name ?? "unnamed")\(use)")
                    }
                }
                for chip in listing.unreadable {
                    print("  \(chip.path): cannot be opened (\(chip.error)); add your user to group gpio or install udev/60-auxchain-gpio.rules")
                }
            } catch {
                print("  \(error)")
            }
        }
    }
}
