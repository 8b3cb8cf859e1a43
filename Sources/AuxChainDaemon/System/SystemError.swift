import Glibc

/// A failed system call: which call, on what, and the errno it left.
public struct SystemError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The C function, e.g. "bind".
    public var call: String
    /// The path, socket or file it was called on.
    public var subject: String
    public var errno: Int32

    public init(call: String, subject: String, errno: Int32) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    /// The calling thread's `errno`, read right after a failed call.
    static func last(_ call: String, _ subject: String) -> SystemError {
        SystemError(call: call, subject: subject, errno: Glibc.errno)
    }

    /// The C library's text for the errno and its number, e.g. "Permission denied (errno 13)".
    public var reason: String { "\(String(cString: strerror(errno))) (errno \(errno))" }

    public var description: String { "\(call) \(subject): \(reason)" }
}
