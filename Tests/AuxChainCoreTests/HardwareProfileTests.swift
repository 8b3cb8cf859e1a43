import AuxChainCore
import Foundation
import Testing

/// `Hardware/` is what people wire from: its profiles must be configs that work on the header
/// they name, and its tables must say what the pin map, the profiles and the advisor's knowledge say.
///
/// The wiring checks here are the test's own, made over every line a config names, so they do not
/// lean on the config reader's checks they are meant to back up.
@Suite struct HardwareProfileTests {
    // MARK: Profiles

    @Test func everyProfileFileIsListedInTheBuildsTableAndEveryListedProfileExists() throws {
        let readme = try HardwareTree.text(of: HardwareTree.readme)
        let linked = Set(readme.matches(of: #/\]\(profiles/([A-Za-z0-9._-]+\.toml)\)/#).map { String($0.output.1) })
        let files = Set(HardwareTree.profileNames)
        #expect(!files.isEmpty, "Hardware/profiles/ holds no .toml profile")
        #expect(linked == files, "Hardware/README.md's builds table links \(linked.sorted()); Hardware/profiles/ holds \(files.sorted())")
    }

    @Test(arguments: HardwareTree.profileNames)
    func profileLoadsThroughTheConfigReaderOnABoardOfThePinMap(_ name: String) throws {
        let profile = try HardwareProfile.load(name)
        let pinMap = try PinMap.load()
        let board = pinMap.board(profile.config.gpio.board)
        #expect(board != nil, "\(name): [gpio] board = \"\(profile.config.gpio.board.rawValue)\" is not a board in Hardware/pinmap.json")
        #expect(profile.config.gpio.resolvedChip == board?.chipLabel, "\(name): the GPIO chip should be the board's header chip")
        #expect(!HardwareProfile.lineUses(of: profile.config).isEmpty, "\(name): a documented build drives at least the speaker relay")
    }

    @Test(arguments: HardwareTree.profileNames)
    func profileUsesEachLineOnceOnItsHeaderAndClearOfItsSoundCard(_ name: String) throws {
        let profile = try HardwareProfile.load(name)
        let pinMap = try PinMap.load()
        let cards = try profile.soundCards(in: pinMap)
        #expect(WiringCheck(pinMap: pinMap).problems(in: profile.config, soundCards: cards) == [], "\(name)")
    }

    @Test(arguments: HardwareTree.profileNames)
    func profileNamesItsSoundCardAndCapturesAndPlaysThroughIt(_ name: String) throws {
        let profile = try HardwareProfile.load(name)
        let cards = try profile.soundCards(in: PinMap.load())
        #expect(!cards.isEmpty, "\(name): name the sound card in a '# sound-card: <id>' comment (ids in Hardware/pinmap.json)")
        let pcmCards = Set([profile.config.audio.capture, profile.config.audio.playback].compactMap(Self.alsaCard(of:)))
        #expect(pcmCards == Set(cards.map(\.alsaCard)),
                "\(name): its PCMs use cards \(pcmCards.sorted()), its '# sound-card:' comments name \(cards.map(\.alsaCard).sorted())")
    }

    @Test func everyProfileHasABillOfMaterials() throws {
        let bom = try HardwareTree.text(of: HardwareTree.hardware.appendingPathComponent("bom.md"))
        for name in HardwareTree.profileNames {
            #expect(bom.contains("\n## `\(name)`\n"), "Hardware/bom.md has no '## `\(name)`' section")
        }
    }

    private static func alsaCard(of pcm: String) -> String? {
        pcm.firstMatch(of: #/CARD=([^,]+)/#).map { String($0.output.1) }
    }

    // MARK: The wiring check itself

    @Test func wiringCheckFindsALineUsedTwice() throws {
        var config = Self.piConfig(.pi4)
        config.power.relay = OutputLineSettings(line: .offset(17), activeLow: true)
        config.inputs.buttons = [ButtonSettings(action: .muteToggle, input: Self.button(on: 17))]
        let problems = try WiringCheck(pinMap: PinMap.load()).problems(in: config, soundCards: [])
        #expect(problems.contains { $0.contains("BCM17") && $0.contains("power.relay.line") && $0.contains("inputs.buttons[0].line") })
    }

    @Test func wiringCheckFindsALineOffTheHeader() throws {
        var config = Self.piConfig(.pi5)
        config.attenuator = .x9c(chipSelect: .offset(5), increment: .offset(6), upDown: .offset(28))
        let problems = try WiringCheck(pinMap: PinMap.load()).problems(in: config, soundCards: [])
        #expect(problems.contains { $0.contains("BCM28") && $0.contains("attenuator.ud") && $0.contains("header") })
    }

    @Test func wiringCheckFindsTheHATEEPROMLines() throws {
        var config = Self.piConfig(.pi4)
        config.inputs.trigger = Self.button(on: 1)
        let problems = try WiringCheck(pinMap: PinMap.load()).problems(in: config, soundCards: [])
        #expect(problems.contains { $0.contains("BCM1") && $0.contains("inputs.trigger.line") && $0.contains("ID_SC") })
    }

    @Test func wiringCheckFindsALineTheSoundCardTakes() throws {
        let pinMap = try PinMap.load()
        let hat = try #require(pinMap.soundCards.first { !$0.lines.isEmpty }, "Hardware/pinmap.json lists no sound card that takes GPIO lines")
        let taken = try #require(hat.lines.first)
        var config = Self.piConfig(.pi4)
        config.attenuator = .relayLadder(lines: [.offset(5), .offset(taken.bcm)], stepDB: 1, settle: .milliseconds(5))
        let problems = WiringCheck(pinMap: pinMap).problems(in: config, soundCards: [hat])
        #expect(problems.contains { $0.contains("BCM\(taken.bcm)") && $0.contains("attenuator.lines[1]") && $0.contains(hat.name) })
        #expect(WiringCheck(pinMap: pinMap).problems(in: config, soundCards: []) == [], "the same lines are fine without that card")
    }

    @Test func wiringCheckFindsALineNamedRatherThanNumbered() throws {
        var config = Self.piConfig(.pi4)
        config.power.relay = OutputLineSettings(line: .name("GPIO17"), activeLow: true)
        let problems = try WiringCheck(pinMap: PinMap.load()).problems(in: config, soundCards: [])
        #expect(problems.contains { $0.contains("'GPIO17'") && $0.contains("power.relay.line") })
    }

    private static func piConfig(_ board: Board) -> AuxChainConfig {
        var config = AuxChainConfig()
        config.gpio.board = board
        return config
    }

    private static func button(on offset: Int) -> InputLineSettings {
        InputLineSettings(line: .offset(offset), activeLow: true, bias: .pullUp, debounce: .milliseconds(30))
    }

    // MARK: The pin map

    @Test func pinMapDescribesTheFortyPinHeader() throws {
        let pinMap = try PinMap.load()
        #expect(pinMap.header.map(\.pin).sorted() == Array(1...40), "every header pin exactly once")
        for entry in pinMap.header {
            #expect((entry.bcm == nil) != (entry.power == nil), "pin \(entry.pin): either a GPIO (bcm) or a power pin (power)")
            if let power = entry.power { #expect(["3V3", "5V", "GND"].contains(power), "pin \(entry.pin): power '\(power)'") }
        }
        let bcm = pinMap.header.compactMap(\.bcm)
        #expect(Set(bcm).count == bcm.count, "a BCM number appears on two pins")
        #expect(Set(bcm) == Set(0...27), "the header carries BCM0 to BCM27")
        // The power pins and a few lines as Raspberry Pi's own pinout gives them.
        #expect(pinMap.header.filter { $0.power == "3V3" }.map(\.pin) == [1, 17])
        #expect(pinMap.header.filter { $0.power == "5V" }.map(\.pin) == [2, 4])
        #expect(pinMap.header.filter { $0.power == "GND" }.map(\.pin) == [6, 9, 14, 20, 25, 30, 34, 39])
        for (line, pin) in [(4, 7), (17, 11), (18, 12), (27, 13), (22, 15), (2, 3), (3, 5), (19, 35), (20, 38), (21, 40)] {
            #expect(pinMap.pin(ofBCM: line) == pin, "BCM\(line) is pin \(pin)")
        }
        for line in pinMap.avoid.map(\.bcm) + pinMap.soundCards.flatMap({ $0.lines.map(\.bcm) }) {
            #expect(pinMap.pin(ofBCM: line) != nil, "Hardware/pinmap.json names BCM\(line), which is not on the header")
        }
    }

    @Test func pinMapBoardsAreTheConfigModelsBoards() throws {
        let pinMap = try PinMap.load()
        #expect(!pinMap.boards.isEmpty)
        for board in pinMap.boards {
            let model = try #require(Board(rawValue: board.board), "Hardware/pinmap.json board '\(board.board)' is no [gpio] board value")
            #expect(model.headerChipLabel == board.chipLabel, "\(board.board): chip label")
            #expect(Set(model.headerOffsets.map { Array($0) } ?? []) == Set(pinMap.header.compactMap(\.bcm)),
                    "\(board.board): the config reader's header lines and Hardware/pinmap.json's differ")
        }
    }

    @Test func everyPinNamedInTheHardwareFilesIsWhereThePinMapPutsIt() throws {
        let pinMap = try PinMap.load()
        var checked = 0
        for file in try HardwareTree.documents() {
            let text = try HardwareTree.text(of: file)
            let place = file.path.replacingOccurrences(of: HardwareTree.root.path + "/", with: "")
            for match in text.matches(of: #/BCM(\d+)\s+\(?pin (\d+)/#) {
                let line = Int(match.output.1)!, pin = Int(match.output.2)!
                #expect(pinMap.pin(ofBCM: line) == pin, "\(place): 'BCM\(line) … pin \(pin)', but BCM\(line) is pin \(pinMap.pin(ofBCM: line).map(String.init) ?? "nowhere")")
                checked += 1
            }
            for match in text.matches(of: #/\b(3V3|5V|GND)\s+\(?pin (\d+)/#) {
                let power = String(match.output.1), pin = Int(match.output.2)!
                #expect(pinMap.header.first { $0.pin == pin }?.power == power, "\(place): '\(power) pin \(pin)', but pin \(pin) is not \(power)")
                checked += 1
            }
        }
        #expect(checked > 0, "no 'BCMn (pin m)' found under Hardware/: the pattern has drifted from the guides")
    }

    @Test func everyLinkInTheHardwareGuidesLeadsToAFile() throws {
        for file in try HardwareTree.documents() where file.pathExtension == "md" {
            let text = try HardwareTree.text(of: file)
            for match in text.matches(of: #/\]\(([^)\s]+)\)/#) {
                let target = String(match.output.1)
                guard !target.hasPrefix("http"), !target.hasPrefix("#") else { continue }
                let path = String(target.split(separator: "#", maxSplits: 1)[0])
                let resolved = file.deletingLastPathComponent().appendingPathComponent(path).standardized
                #expect(FileManager.default.fileExists(atPath: resolved.path), "\(file.lastPathComponent) links to \(target), which does not exist")
            }
        }
    }

    // MARK: Generated tables

    @Test func readmeTablesAreGeneratedFromThePinMapTheProfilesAndTheAdvisorsKnowledge() throws {
        let pinMap = try PinMap.load()
        let profiles = try HardwareTree.profileNames.map(HardwareProfile.load)
        let blocks = [
            ("echo-line-out", try ReadmeTables.echoLineOut(Knowledge.load())),
            ("pin-map", ReadmeTables.pinMap(pinMap)),
            ("profile-wiring", try ReadmeTables.profileWiring(profiles, pinMap: pinMap)),
        ]
        let readme = try HardwareTree.text(of: HardwareTree.readme)
        if ProcessInfo.processInfo.environment["AUXCHAIN_RECORD_HARDWARE_TABLES"] == "1" {
            var updated = readme
            for (name, table) in blocks { updated = try ReadmeTables.replacing(block: name, with: table, in: updated) }
            if updated != readme {
                try updated.write(to: HardwareTree.readme, atomically: true, encoding: .utf8)
                Issue.record("Rewrote the generated tables in Hardware/README.md; run again without AUXCHAIN_RECORD_HARDWARE_TABLES")
            }
            return
        }
        for (name, table) in blocks {
            let current = try ReadmeTables.block(name, in: readme)
            #expect(current == table, """
                Hardware/README.md's generated '\(name)' table is out of date; regenerate with \
                AUXCHAIN_RECORD_HARDWARE_TABLES=1 swift test --filter HardwareProfileTests
                """)
        }
    }
}

// MARK: - The files

enum HardwareTree {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let hardware = root.appendingPathComponent("Hardware")
    static let profiles = hardware.appendingPathComponent("profiles")
    static let readme = hardware.appendingPathComponent("README.md")
    static let knowledge = root.appendingPathComponent("Sources/AuxChainAdvisor/Resources/knowledge.json")

    static let profileNames: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: profiles.path)) ?? []).filter { $0.hasSuffix(".toml") }.sorted()

    static func text(of file: URL) throws -> String {
        try String(contentsOf: file, encoding: .utf8)
    }

    /// Every guide and profile under Hardware/.
    static func documents() throws -> [URL] {
        let enumerator = try #require(FileManager.default.enumerator(at: hardware, includingPropertiesForKeys: nil))
        return enumerator.compactMap { $0 as? URL }
            .filter { ["md", "toml"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
    }
}

/// Hardware/pinmap.json.
struct PinMap: Decodable, Sendable {
    struct BoardEntry: Decodable, Sendable {
        let board: String
        let name: String
        let chipLabel: String
    }

    struct HeaderPin: Decodable, Sendable {
        let pin: Int
        let power: String?
        let bcm: Int?
        let function: String?
    }

    struct AvoidedLine: Decodable, Sendable {
        let bcm: Int
        let why: String
    }

    struct SoundCard: Decodable, Sendable {
        struct Line: Decodable, Sendable {
            let bcm: Int
            let use: String
        }

        let id: String
        let name: String
        let alsaCard: String
        let overlay: String?
        let lines: [Line]
    }

    let boards: [BoardEntry]
    let header: [HeaderPin]
    let avoid: [AvoidedLine]
    let soundCards: [SoundCard]

    static func load() throws -> PinMap {
        try JSONDecoder().decode(PinMap.self, from: Data(contentsOf: HardwareTree.hardware.appendingPathComponent("pinmap.json")))
    }

    func board(_ board: Board) -> BoardEntry? { boards.first { $0.board == board.rawValue } }

    func pin(ofBCM line: Int) -> Int? { header.first { $0.bcm == line }?.pin }

    /// "BCM17 (pin 11)", the notation every guide uses.
    func place(ofBCM line: Int) -> String {
        pin(ofBCM: line).map { "BCM\(line) (pin \($0))" } ?? "BCM\(line) (not on the header)"
    }
}

/// A profile as the config reader loads it, with the sound cards its comments name.
struct HardwareProfile: Sendable {
    let name: String
    let text: String
    let config: AuxChainConfig

    static func load(_ name: String) throws -> HardwareProfile {
        let url = HardwareTree.profiles.appendingPathComponent(name)
        return HardwareProfile(name: name, text: try HardwareTree.text(of: url), config: try ConfigReader.load(path: url.path))
    }

    /// The cards named in `# sound-card: <id>` comments: the config has no key for the hardware
    /// around the Pi, so the profile says which lines a HAT takes this way.
    func soundCards(in pinMap: PinMap) throws -> [PinMap.SoundCard] {
        try text.split(separator: "\n").compactMap { $0.wholeMatch(of: #/#\s*sound-card:\s*(\S+)\s*/#) }.map { match in
            let id = String(match.output.1)
            return try #require(pinMap.soundCards.first { $0.id == id }, "\(name): sound card '\(id)' is not in Hardware/pinmap.json")
        }
    }

    /// One GPIO line a config drives or reads, with the key that names it.
    struct LineUse: Sendable {
        let key: String
        let function: String
        let line: LineReference
    }

    /// Every line the config names: the relay, the trigger, the buttons and the attenuator's lines.
    static func lineUses(of config: AuxChainConfig) -> [LineUse] {
        var uses: [LineUse] = []
        if let relay = config.power.relay {
            uses.append(LineUse(key: "power.relay.line", function: "speaker power relay" + (relay.activeLow ? ", active-low" : ""), line: relay.line))
        }
        if let trigger = config.inputs.trigger {
            uses.append(LineUse(key: "inputs.trigger.line", function: "12 V trigger input" + describe(trigger), line: trigger.line))
        }
        for (index, button) in config.inputs.buttons.enumerated() {
            uses.append(LineUse(key: "inputs.buttons[\(index)].line", function: "button: \(button.action.rawValue)" + describe(button.input), line: button.input.line))
        }
        switch config.attenuator {
        case .none:
            break
        case .relayLadder(let lines, let stepDB, _):
            for (index, line) in lines.enumerated() {
                uses.append(LineUse(key: "attenuator.lines[\(index)]", function: "relay ladder: \(decibels(stepDB * Double(1 << index))) dB stage", line: line))
            }
        case .pga2311(let chipSelect, let clock, let data, _):
            uses += [
                LineUse(key: "attenuator.cs", function: "PGA2311 CS", line: chipSelect),
                LineUse(key: "attenuator.sclk", function: "PGA2311 SCLK", line: clock),
                LineUse(key: "attenuator.sdi", function: "PGA2311 SDI", line: data),
            ]
        case .x9c(let chipSelect, let increment, let upDown):
            uses += [
                LineUse(key: "attenuator.cs", function: "X9C CS", line: chipSelect),
                LineUse(key: "attenuator.inc", function: "X9C INC", line: increment),
                LineUse(key: "attenuator.ud", function: "X9C U/D", line: upDown),
            ]
        }
        return uses
    }

    private static func describe(_ input: InputLineSettings) -> String {
        (input.activeLow ? ", active-low" : "") + (input.bias == .asIs ? "" : ", \(input.bias.rawValue)")
    }

    private static func decibels(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// The test's own wiring rules, applied to every line a config names.
struct WiringCheck {
    let pinMap: PinMap

    func problems(in config: AuxChainConfig, soundCards: [PinMap.SoundCard]) -> [String] {
        var problems: [String] = []
        let uses = HardwareProfile.lineUses(of: config)
        var offsets: [(use: HardwareProfile.LineUse, bcm: Int)] = []
        for use in uses {
            switch use.line {
            case .offset(let bcm): offsets.append((use, bcm))
            case .name(let name): problems.append("\(use.key) names line '\(name)'; a profile gives BCM numbers, so its wiring can be checked")
            }
        }
        for (bcm, sharing) in Dictionary(grouping: offsets, by: \.bcm) where sharing.count > 1 {
            problems.append("BCM\(bcm) is used by \(sharing.map(\.use.key).joined(separator: " and "))")
        }
        for (use, bcm) in offsets {
            guard pinMap.pin(ofBCM: bcm) != nil else {
                problems.append("BCM\(bcm) (\(use.key)) is not on the \(config.gpio.board.rawValue) header")
                continue
            }
            if let avoided = pinMap.avoid.first(where: { $0.bcm == bcm }) {
                problems.append("\(pinMap.place(ofBCM: bcm)) (\(use.key)) is to be avoided: \(avoided.why)")
            }
            for card in soundCards {
                if let taken = card.lines.first(where: { $0.bcm == bcm }) {
                    problems.append("\(pinMap.place(ofBCM: bcm)) (\(use.key)) is taken by the \(card.name): \(taken.use)")
                }
            }
        }
        return problems.sorted()
    }
}

/// The advisor's knowledge file: only the Echo models' line-out claims and the sources they cite.
struct Knowledge: Decodable, Sendable {
    struct Model: Decodable, Sendable {
        let name: String
        let lineOut: Claim
    }

    struct Claim: Decodable, Sendable {
        let value: String
        let note: String?
        let source: String
        let confidence: String
    }

    struct Source: Decodable, Sendable {
        let id: String
        let title: String
    }

    let models: [Model]
    let sources: [Source]

    static func load() throws -> Knowledge {
        try JSONDecoder().decode(Knowledge.self, from: Data(contentsOf: HardwareTree.knowledge))
    }
}

/// The README's generated tables, and how they sit between their markers.
enum ReadmeTables {
    static func echoLineOut(_ knowledge: Knowledge) throws -> String {
        var rows = ["| Echo model | 3.5 mm line-out | note | confidence | source |", "|---|---|---|---|---|"]
        for model in knowledge.models {
            let claim = model.lineOut
            let source = try #require(knowledge.sources.first { $0.id == claim.source }, "knowledge.json: \(model.name) cites unknown source '\(claim.source)'")
            let value = claim.value == "no" ? "**no**" : claim.value
            rows.append(row([model.name, value, claim.note ?? "", claim.confidence, source.title]))
        }
        return rows.joined(separator: "\n")
    }

    static func pinMap(_ pinMap: PinMap) -> String {
        var lines = ["| board | `[gpio] board` | GPIO chip label |", "|---|---|---|"]
        lines += pinMap.boards.map { row([$0.name, "`\($0.board)`", "`\($0.chipLabel)`"]) }
        lines += ["", "| function | BCM | pin | pin | BCM | function |", "|---:|---:|---:|:---|:---|:---|"]
        let byPin = Dictionary(uniqueKeysWithValues: pinMap.header.map { ($0.pin, $0) })
        for odd in stride(from: 1, through: 39, by: 2) {
            guard let left = byPin[odd], let right = byPin[odd + 1] else { continue }
            let (leftFunction, leftBCM) = cells(left, pinMap), (rightFunction, rightBCM) = cells(right, pinMap)
            lines.append(row([leftFunction, leftBCM, "\(odd)", "\(odd + 1)", rightBCM, rightFunction]))
        }
        lines += ["", "Never use these lines:", ""]
        lines += pinMap.avoid.map { "- \(pinMap.place(ofBCM: $0.bcm)): \($0.why)." }
        lines += ["", "Lines a sound card takes (a profile with that card leaves them alone):", ""]
        lines += ["| sound card | ALSA card | overlay | lines it takes |", "|---|---|---|---|"]
        for card in pinMap.soundCards {
            let taken = card.lines.isEmpty ? "none (USB)" : card.lines.map { "\(pinMap.place(ofBCM: $0.bcm)) \($0.use)" }.joined(separator: "; ")
            lines.append(row([card.name, "`\(card.alsaCard)`", card.overlay.map { "`\($0)`" } ?? "—", taken]))
        }
        return lines.joined(separator: "\n")
    }

    static func profileWiring(_ profiles: [HardwareProfile], pinMap: PinMap) throws -> String {
        var lines: [String] = []
        for profile in profiles {
            let config = profile.config
            let board = pinMap.board(config.gpio.board)
            let cards = try profile.soundCards(in: pinMap).map(\.name).joined(separator: " + ")
            let audio = config.audio.capture == config.audio.playback
                ? "`\(config.audio.capture)` in and out"
                : "in `\(config.audio.capture)`, out `\(config.audio.playback)`"
            if !lines.isEmpty { lines.append("") }
            lines.append("**`\(profile.name)`**: \(board?.name ?? config.gpio.board.rawValue) (`\(config.gpio.resolvedChip ?? "no chip")`); \(cards), \(audio); attenuator: \(config.attenuator.kindName).")
            lines += ["", "| function | config key | BCM | header pin |", "|---|---|---:|---:|"]
            for use in HardwareProfile.lineUses(of: config) {
                let (bcm, pin): (String, String) = switch use.line {
                case .offset(let offset): ("\(offset)", pinMap.pin(ofBCM: offset).map(String.init) ?? "not on the header")
                case .name(let name): ("'\(name)'", "?")
                }
                lines.append(row([use.function, "`\(use.key)`", bcm, pin]))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func cells(_ entry: PinMap.HeaderPin, _ pinMap: PinMap) -> (function: String, bcm: String) {
        if let power = entry.power { return (power == "GND" ? "ground" : "\(power) power", "") }
        guard let bcm = entry.bcm else { return ("", "") }
        let avoided = pinMap.avoid.contains { $0.bcm == bcm }
        return ((entry.function ?? "GPIO") + (avoided ? ", avoid" : ""), "\(bcm)")
    }

    private static func row(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }

    private static func markers(_ name: String) -> (begin: String, end: String) {
        ("<!-- BEGIN GENERATED \(name):", "<!-- END GENERATED \(name) -->")
    }

    /// The lines between a block's markers (the markers stay hand-written, so their wording can say where the data comes from).
    static func block(_ name: String, in text: String) throws -> String {
        let lines = text.components(separatedBy: "\n")
        let (begin, end) = markers(name)
        let first = try #require(lines.firstIndex { $0.hasPrefix(begin) }, "Hardware/README.md has no '\(begin)' marker")
        let last = try #require(lines[first...].firstIndex { $0 == end }, "Hardware/README.md has no '\(end)' marker")
        return lines[(first + 1)..<last].joined(separator: "\n")
    }

    static func replacing(block name: String, with table: String, in text: String) throws -> String {
        var lines = text.components(separatedBy: "\n")
        let (begin, end) = markers(name)
        let first = try #require(lines.firstIndex { $0.hasPrefix(begin) }, "Hardware/README.md has no '\(begin)' marker")
        let last = try #require(lines[first...].firstIndex { $0 == end }, "Hardware/README.md has no '\(end)' marker")
        lines.replaceSubrange((first + 1)..<last, with: table.components(separatedBy: "\n"))
        return lines.joined(separator: "\n")
    }
}
