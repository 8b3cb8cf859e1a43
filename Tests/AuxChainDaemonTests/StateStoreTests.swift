import AuxChainCore
import Foundation
import Glibc
import Testing

@testable import AuxChainDaemon

@Suite struct StateStoreTests {
    static let defaults = SavedState(volumePercent: 40, muted: false, powerMode: .auto)
    static let saved = SavedState(volumePercent: 62.5, volumeDB: -14.25, muted: true, powerMode: .off)

    let directory: String

    init() {
        var template = Array("/tmp/auxchain-state-XXXXXX".utf8CString)
        directory = String(cString: mkdtemp(&template)!)
    }

    func entries(_ path: String? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path ?? directory).sorted()
    }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("what was saved loads back, with no warning")
    func roundTrip() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try store.save(Self.saved)
        #expect(store.load(defaults: Self.defaults) == StateLoad(state: Self.saved, warning: nil))
        try store.save(Self.defaults)
        #expect(store.load(defaults: Self.saved) == StateLoad(state: Self.defaults, warning: nil))
    }

    @Test("the file holds the documented keys")
    func fileFormat() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try store.save(Self.saved)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.path))) as? [String: Any]
        #expect(object?["volume_percent"] as? Double == 62.5)
        #expect(object?["volume_db"] as? Double == -14.25)
        #expect(object?["muted"] as? Bool == true)
        #expect(object?["power_mode"] as? String == "off")
        #expect(object?["version"] as? Int == 1)
    }

    @Test("no file gives the defaults quietly")
    func missingFile() {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        #expect(store.load(defaults: Self.defaults) == StateLoad(state: Self.defaults, warning: nil))
    }

    @Test("a missing directory gives the defaults, and saving creates it")
    func missingDirectory() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/var/lib/auxchain/state.json")
        #expect(store.load(defaults: Self.defaults) == StateLoad(state: Self.defaults, warning: nil))
        try store.save(Self.saved)
        #expect(try entries(directory + "/var/lib/auxchain") == ["state.json"])
        #expect(store.load(defaults: Self.defaults).state == Self.saved)
    }

    @Test("a corrupt file gives the defaults and a warning naming the file", arguments: [
        "", "{", "not json at all", "[1,2,3]", #"{"volume_percent":"loud"}"#, "\u{0}\u{1}\u{2}",
    ])
    func corruptFile(contents: String) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try write(contents, to: store.path)
        let load = store.load(defaults: Self.defaults)
        #expect(load.state == Self.defaults)
        let warning = try #require(load.warning)
        #expect(warning.contains(store.path))
        #expect(warning.contains("not valid state JSON"))
        #expect(warning.contains("volume 40 %"))
    }

    @Test("invalid values fall back field by field and are named")
    func invalidFields() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try write(#"{"volume_percent":150,"muted":true,"power_mode":"loud"}"#, to: store.path)
        let load = store.load(defaults: Self.defaults)
        #expect(load.state == SavedState(volumePercent: 40, muted: true, powerMode: .auto))
        let warning = try #require(load.warning)
        #expect(warning.contains("volume_percent 150.0 is outside 0...100"))
        #expect(warning.contains("power_mode 'loud'"))
    }

    @Test("fields an older file lacks come from the defaults without a warning")
    func partialFile() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try write(#"{"volume_percent":25}"#, to: store.path)
        #expect(store.load(defaults: Self.defaults) == StateLoad(
            state: SavedState(volumePercent: 25, muted: false, powerMode: .auto), warning: nil))
    }

    @Test("an unreadable state path gives the defaults and a warning; saving to it fails and names it")
    func unreadablePath() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Root reads any file, so the unreadable thing here is a directory where the file should be.
        let store = StateStore(path: directory + "/state.json")
        #expect(mkdir(store.path, 0o755) == 0)
        let load = store.load(defaults: Self.defaults)
        #expect(load.state == Self.defaults)
        #expect(try #require(load.warning).contains("could not read the state file"))
        do {
            try store.save(Self.saved)
            Issue.record("saved over a directory")
        } catch {
            #expect(error.description.contains(store.path))
            #expect(error.failure.call == "rename")
        }
        #expect(try entries() == ["state.json"])
    }

    @Test("a file too large to be state is not read")
    func oversizedFile() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try write(String(repeating: " ", count: StateStore.maximumFileBytes + 10), to: store.path)
        let load = store.load(defaults: Self.defaults)
        #expect(load.state == Self.defaults)
        #expect(load.warning != nil)
    }

    @Test("saving leaves only the state file, over many saves")
    func noTemporaryFileLeft() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        for percent in stride(from: 0.0, through: 100, by: 5) {
            try store.save(SavedState(volumePercent: percent, muted: false, powerMode: .on))
            #expect(try entries() == ["state.json"])
        }
        #expect(store.load(defaults: Self.defaults).state.volumePercent == 100)
    }

    @Test("a shorter state replaces a longer one whole")
    func shorterReplacesLonger() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try store.save(SavedState(volumePercent: 33.333333333, volumeDB: -19.123456789, muted: true, powerMode: .auto))
        try store.save(SavedState(volumePercent: 5, muted: false, powerMode: .on))
        #expect(store.load(defaults: Self.defaults) == StateLoad(
            state: SavedState(volumePercent: 5, muted: false, powerMode: .on), warning: nil))
    }

    @Test("a temporary file left by a crash is removed at load and the old state stands")
    func crashLeftover() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try store.save(Self.saved)
        try write(#"{"volume_percent":9"#, to: store.temporaryPath)
        #expect(try entries() == [".state.json.tmp", "state.json"])
        #expect(store.load(defaults: Self.defaults) == StateLoad(state: Self.saved, warning: nil))
        #expect(try entries() == ["state.json"])
    }

    @Test("saves from many tasks at once all land whole")
    func concurrentSaves() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = StateStore(path: directory + "/state.json")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for step in 0..<20 {
                group.addTask { try store.save(SavedState(volumePercent: Double(step), muted: false, powerMode: .auto)) }
            }
            try await group.waitForAll()
        }
        let load = store.load(defaults: Self.defaults)
        #expect(load.warning == nil)
        #expect((0..<20).contains(Int(load.state.volumePercent)))
        #expect(try entries() == ["state.json"])
    }
}
