import Glibc

/// A `sockaddr_un` for a filesystem path, or for an abstract name written `@name`.
struct UnixAddress {
    /// `sun_path` holds 108 bytes, a path's terminating NUL included.
    static let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    private var storage = sockaddr_un()
    private let length: socklen_t

    init(_ address: String, call: String) throws(SystemError) {
        var bytes = Array(address.utf8)
        let isAbstract = bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        // A path needs room for its NUL; an abstract name is counted by the length, no NUL.
        guard !bytes.isEmpty, bytes.count + (isAbstract ? 0 : 1) <= Self.capacity else {
            throw SystemError(call: call, subject: address, errno: ENAMETOOLONG)
        }
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { path in
            path.copyBytes(from: bytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        length = socklen_t(pathOffset + bytes.count + (isAbstract ? 0 : 1))
    }

    mutating func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        let length = self.length
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}

/// Repeats a system call that `EINTR` interrupted.
func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
    while true {
        let result = call()
        if result < 0 && errno == EINTR { continue }
        return result
    }
}
