import Foundation

/// Running the built binary as uid 65534 (nobody) through setpriv, for what an unprivileged
/// user sees. Needs root.
public enum Unprivileged {
    public static let userID: UInt32 = 65534

    /// This process may switch users, and setpriv is there to do it.
    public static let isAvailable = getuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0

    /// The built binary copied into a 0755 folder of its own, made once per test process. The
    /// build folder may lie under a folder other users cannot traverse (CI clones to a path of
    /// its choosing), and then nobody could not start the binary where it was built.
    public static let binary: String = {
        let folder = reachableFolder()
        let copy = folder.appendingPathComponent("auxchain")
        try! FileManager.default.copyItem(at: BuiltBinary.url, to: copy)
        chmod(copy.path, 0o755)
        return copy.path
    }()

    /// A fresh temporary folder that every user may enter and read (0755); with `ownedByNobody`,
    /// one nobody may also write to (a daemon run as nobody keeps its socket and state there).
    public static func reachableFolder(ownedByNobody: Bool = false) -> URL {
        let folder = FilePCMConfig.temporaryFolder()
        chmod(folder.path, 0o755)
        if ownedByNobody { chown(folder.path, userID, userID) }
        return folder
    }

    /// The command line for `BuiltBinary.Running(_:viaShell: true)` that runs the binary with
    /// `arguments` as uid 65534, gid `groupID` and only `supplementaryGroups`.
    public static func command(_ arguments: [String], groupID: UInt32 = userID, supplementaryGroups: [UInt32] = []) -> [String] {
        let groups = supplementaryGroups.isEmpty
            ? "--clear-groups" : "--groups=" + supplementaryGroups.map(String.init).joined(separator: ",")
        return ["--", "/usr/bin/setpriv", "--reuid=\(userID)", "--regid=\(groupID)", groups, binary] + arguments
    }

    /// Runs the binary as nobody to its end.
    public static func run(
        _ arguments: [String], groupID: UInt32 = userID, supplementaryGroups: [UInt32] = [], timeout: TimeInterval = 60
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        try BuiltBinary.Running(command(arguments, groupID: groupID, supplementaryGroups: supplementaryGroups), viaShell: true)
            .finish(timeout: timeout)
    }
}
