import Glibc

/// The control socket's file and descriptor: set up with the right owner and mode before it
/// listens, and removed at close only while it is still the file this server made.
struct ListeningSocket {
    let fd: Int32
    let path: String
    private let device: UInt64
    private let inode: UInt64

    /// Creates the directory if missing, clears a stale socket (refusing if a daemon answers
    /// on it), binds, sets mode and group, then listens.
    init(path: String, group: ControlGroup?, backlog: Int32 = 16) throws(ControlServerError) {
        func fail(_ reason: ControlServerError.Reason) -> ControlServerError {
            ControlServerError(reason, socketPath: path)
        }
        guard path.hasPrefix("/") else { throw fail(.notAbsolute) }
        guard path.utf8.count < UnixAddress.capacity else { throw fail(.pathTooLong(limit: UnixAddress.capacity - 1)) }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            do throws(SystemError) {
                try makeDirectories(String(path[..<slash]))
            } catch {
                throw fail(.system(error))
            }
        }
        try Self.clearStale(path)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw fail(.system(.last("socket", path))) }
        var isReady = false
        defer { if !isReady { Glibc.close(fd) } }
        do throws(SystemError) {
            var address = try UnixAddress(path, call: "bind")
            let bound = address.withSockaddr { bind(fd, $0, $1) }
            guard bound == 0 else { throw .last("bind", path) }
        } catch {
            throw fail(error.errno == EADDRINUSE ? .alreadyRunning : .system(error))
        }
        defer { if !isReady { unlink(path) } }
        // Not listening yet, so nobody can connect before mode and group are right.
        guard chmod(path, group == nil ? 0o600 : 0o660) == 0 else { throw fail(.system(.last("chmod", path))) }
        if let group, chown(path, uid_t.max, group.id) != 0 {
            throw fail(.cannotSetGroup(group.name, .last("chown", path)))
        }
        var status = stat()
        guard stat(path, &status) == 0 else { throw fail(.system(.last("stat", path))) }
        guard listen(fd, backlog) == 0 else { throw fail(.system(.last("listen", path))) }
        self.fd = fd
        self.path = path
        self.device = UInt64(status.st_dev)
        self.inode = UInt64(status.st_ino)
        isReady = true
    }

    /// Closes the descriptor and removes the socket file if it is still ours (a daemon started
    /// since may have replaced it).
    func close() {
        var status = stat()
        if stat(path, &status) == 0 && UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode {
            unlink(path)
        }
        Glibc.close(fd)
    }

    private static func clearStale(_ path: String) throws(ControlServerError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            guard errno == ENOENT else { throw ControlServerError(.system(.last("lstat", path)), socketPath: path) }
            return
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw ControlServerError(.notASocket, socketPath: path) }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw ControlServerError(.system(.last("socket", path)), socketPath: path) }
        defer { Glibc.close(probe) }
        do throws(SystemError) {
            var address = try UnixAddress(path, call: "connect")
            let connected = address.withSockaddr { address, length in
                retryingOnInterrupt { connect(probe, address, length) }
            }
            if connected == 0 { throw SystemError(call: "connect", subject: path, errno: EISCONN) }
            // Refused: nobody listens, the file is left from a daemon that died.
            guard errno == ECONNREFUSED else { throw SystemError.last("connect", path) }
        } catch {
            throw ControlServerError(error.errno == EISCONN ? .alreadyRunning : .system(error), socketPath: path)
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ControlServerError(.system(.last("unlink", path)), socketPath: path)
        }
    }
}

/// The credentials the kernel recorded when the peer connected.
/// The corresponding C call is `getsockopt(SO_PEERCRED)`.
func peerCredentials(of fd: Int32) -> PeerCredentials? {
    // struct ucred { pid_t pid; uid_t uid; gid_t gid; } — Glibc's module does not export it.
    var words: (Int32, UInt32, UInt32) = (0, 0, 0)
    var length = socklen_t(MemoryLayout.size(ofValue: words))
    guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &words, &length) == 0, length == 12 else { return nil }
    return PeerCredentials(processID: words.0, userID: words.1, groupID: words.2, supplementaryGroupIDs: peerGroups(of: fd))
}

/// The peer's supplementary groups; empty where the kernel (before 4.13) does not tell.
/// The corresponding C call is `getsockopt(SO_PEERGROUPS)`.
private func peerGroups(of fd: Int32) -> [UInt32] {
    let soPeerGroups: Int32 = 59  // <asm-generic/socket.h>; not exported by Glibc's module
    var groups = [UInt32](repeating: 0, count: 64)
    while true {
        var length = socklen_t(groups.count * MemoryLayout<UInt32>.size)
        if getsockopt(fd, SOL_SOCKET, soPeerGroups, &groups, &length) == 0 {
            return Array(groups.prefix(Int(length) / MemoryLayout<UInt32>.size))
        }
        // ERANGE says how much room the list needs (a user may have up to NGROUPS_MAX, 65536).
        let needed = Int(length) / MemoryLayout<UInt32>.size
        guard errno == ERANGE, needed > groups.count else { return [] }
        groups = [UInt32](repeating: 0, count: needed)
    }
}
