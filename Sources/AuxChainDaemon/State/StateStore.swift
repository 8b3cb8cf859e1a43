import Foundation
import Glibc
import Synchronization

/// Keeps ``SavedState`` in a JSON file (`[state] path`), written atomically: a temporary
/// file in the same directory, fsync, rename over the old file, fsync the directory. A crash
/// or power cut at any point leaves the old state or the new one, never a torn file.
///
/// Saving blocks on the disk (fsync can take tens of milliseconds on an SD card): call it
/// from the control plane, after changes settle, never from the audio thread.
public final class StateStore: Sendable {
    public let path: String
    /// The temporary file next to `path`; only a crash mid-save leaves it, and the next
    /// load or save removes it.
    let temporaryPath: String
    let directory: String
    /// One save at a time: they share the temporary file.
    private let saving = Mutex(())

    /// Larger files are not state files; reading stops there.
    static let maximumFileBytes = 64 * 1024

    public init(path: String) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = (directory == "/" ? "" : directory) + "/." + name + ".tmp"
    }

    /// The saved state, or `defaults` when there is none. Never throws: a damaged or
    /// unreadable file gives `defaults` (field by field where it can) and a warning to log.
    public func load(defaults: SavedState) -> StateLoad {
        saving.withLock { _ in _ = unlink(temporaryPath) }
        let contents: [UInt8]
        switch readFile() {
        case .success(let bytes):
            contents = bytes
        case .failure(let error) where error.errno == ENOENT:
            return StateLoad(state: defaults, warning: nil)
        case .failure(let error):
            return StateLoad(state: defaults, warning: warning(
                "could not read the state file: \(error.reason)", defaults: defaults,
                fix: "check that \(directory) belongs to the daemon's user (systemd's StateDirectory=auxchain does this)"
            ))
        }
        guard let file = try? JSONDecoder().decode(SavedStateFile.self, from: Data(contents)) else {
            return StateLoad(state: defaults, warning: warning(
                "the state file is not valid state JSON", defaults: defaults,
                fix: "it is rewritten at the next volume, mute or power change"
            ))
        }
        let (state, problems) = file.state(defaults: defaults)
        guard problems.isEmpty else {
            return StateLoad(state: state, warning: "state file \(path): \(problems.joined(separator: "; ")); "
                + "using the defaults for those (volume \(format(defaults.volumePercent)) %, power \(defaults.powerMode.rawValue))")
        }
        return StateLoad(state: state, warning: nil)
    }

    /// Writes the state atomically, creating the directory if it is missing.
    public func save(_ state: SavedState) throws(StateStoreError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(SavedStateFile(state)) else {
            throw StateStoreError(path: path, failure: SystemError(call: "encode", subject: path, errno: EINVAL))
        }
        let bytes = Array(json) + [UInt8(ascii: "\n")]
        do throws(SystemError) {
            try saving.withLock { _ throws(SystemError) in try write(bytes) }
        } catch {
            throw StateStoreError(path: path, failure: error)
        }
    }

    private func write(_ bytes: [UInt8]) throws(SystemError) {
        try makeDirectories(directory)
        let fd = retryingOnInterrupt {
            open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        }
        guard fd >= 0 else { throw .last("open", temporaryPath) }
        var isRenamed = false
        defer { if !isRenamed { unlink(temporaryPath) } }
        do {
            defer { close(fd) }
            try writeAll(fd, bytes)
            guard fsync(fd) == 0 else { throw SystemError.last("fsync", temporaryPath) }
        }
        guard rename(temporaryPath, path) == 0 else { throw .last("rename", path) }
        isRenamed = true
        // The rename is durable only once the directory entry is on disk.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw .last("open", directory) }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw .last("fsync", directory) }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { buffer in
                retryingOnInterrupt { Glibc.write(fd, buffer.baseAddress, buffer.count) }
            }
            guard written > 0 else { throw .last("write", temporaryPath) }
            offset += written
        }
    }

    private func readFile() -> Result<[UInt8], SystemError> {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return .failure(.last("open", path)) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while contents.count <= Self.maximumFileBytes {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { read(fd, buffer.baseAddress, buffer.count) }
            }
            guard count >= 0 else { return .failure(.last("read", path)) }
            if count == 0 { return .success(contents) }
            contents += chunk[..<count]
        }
        return .failure(SystemError(call: "read", subject: path, errno: EFBIG))
    }

    private func warning(_ problem: String, defaults: SavedState, fix: String) -> String {
        "state file \(path): \(problem); starting from the defaults (volume \(format(defaults.volumePercent)) %, "
            + "\(defaults.muted ? "muted" : "unmuted"), power \(defaults.powerMode.rawValue)); \(fix)"
    }

    private func format(_ percent: Double) -> String {
        percent == percent.rounded() ? String(Int(percent)) : String(percent)
    }
}

/// What ``StateStore/load(defaults:)`` found.
public struct StateLoad: Sendable, Equatable {
    public var state: SavedState
    /// Why the file was not used, in whole or in part; nil when it was used or absent.
    public var warning: String?

    public init(state: SavedState, warning: String?) {
        self.state = state
        self.warning = warning
    }
}

public struct StateStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var failure: SystemError

    public var description: String {
        "could not save the state to \(path): \(failure); check that \(failure.subject) is writable by the daemon's user "
            + "(systemd's StateDirectory=auxchain provides /var/lib/auxchain) or set [state] path"
    }
}

/// `mkdir -p`: creates `path` and its missing parents with mode 0755.
func makeDirectories(_ path: String) throws(SystemError) {
    var status = stat()
    if stat(path, &status) == 0 {
        guard status.st_mode & S_IFMT == S_IFDIR else { throw SystemError(call: "mkdir", subject: path, errno: ENOTDIR) }
        return
    }
    if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
        try makeDirectories(String(path[..<slash]))
    }
    guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw .last("mkdir", path) }
}
