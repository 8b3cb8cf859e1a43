import AuxChainCore
import Glibc

/// Who may use the control socket: root, the daemon's own user, and members of the control
/// group (`[control] group`). The socket file's mode (0660, that group) already keeps others
/// out; this check also holds when the file's permissions were loosened by hand.
public struct ControlAccessPolicy: Sendable, Equatable {
    public var daemonUserID: UInt32
    /// nil: only root and the daemon's user.
    public var group: ControlGroup?

    public init(daemonUserID: UInt32, group: ControlGroup?) {
        self.daemonUserID = daemonUserID
        self.group = group
    }

    /// Decides for a peer whose account (passwd entry and group list) is `account`; nil when
    /// its uid has no passwd entry.
    public func decide(_ peer: PeerCredentials, account: PeerAccount?) -> ControlAccessDecision {
        if peer.userID == 0 || peer.userID == daemonUserID { return .allowed }
        guard let group else {
            return .denied(
                "permission denied: uid \(peer.userID) is not the daemon's user and no control group is set; "
                    + "set [control] group and add the user to it"
            )
        }
        if peer.groupID == group.id || peer.supplementaryGroupIDs.contains(group.id) || account?.groupIDs.contains(group.id) == true {
            return .allowed
        }
        let user = account?.userName ?? "USER"
        return .denied(
            "permission denied: uid \(peer.userID) is not in group \(group.name); "
                + "add the user with 'usermod -aG \(group.name) \(user)' (it applies from the next login)"
        )
    }
}

public enum ControlAccessDecision: Sendable, Equatable {
    case allowed
    /// The line to send the peer before closing.
    case denied(String)
}

/// A group by name and id.
public struct ControlGroup: Sendable, Equatable, Hashable {
    public var name: String
    public var id: UInt32

    public init(name: String, id: UInt32) {
        self.name = name
        self.id = id
    }

    /// The group named `name` in the group database; nil when there is none.
    public static func lookup(_ name: String) -> ControlGroup? {
        SystemGroups.id(named: name).map { ControlGroup(name: name, id: $0) }
    }
}

/// A user's passwd name and every group it belongs to (its primary group included).
public struct PeerAccount: Sendable, Equatable {
    public var userName: String
    public var groupIDs: [UInt32]

    public init(userName: String, groupIDs: [UInt32]) {
        self.userName = userName
        self.groupIDs = groupIDs
    }

    /// The account of `userID`; nil when it has no passwd entry.
    /// The corresponding C functions are `getpwuid_r` and `getgrouplist`.
    public static func lookup(userID: UInt32) -> PeerAccount? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            let status = getpwuid_r(userID, &entry, &buffer, buffer.count, &result)
            if status == ERANGE && buffer.count < 1 << 20 {
                buffer = [CChar](repeating: 0, count: buffer.count * 4)
                continue
            }
            guard status == 0, result != nil, let namePointer = entry.pw_name else { return nil }
            let name = String(cString: namePointer)
            return PeerAccount(userName: name, groupIDs: groupList(of: name, primaryGroupID: entry.pw_gid))
        }
    }

    private static func groupList(of user: String, primaryGroupID: UInt32) -> [UInt32] {
        var count: Int32 = 32
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            let capacity = count
            if getgrouplist(user, primaryGroupID, &groups, &count) >= 0 {
                return Array(groups.prefix(Int(count)))
            }
            // -1 with count raised to the size needed; guard against a count that did not grow.
            if count <= capacity { count = capacity * 2 }
        }
    }
}
