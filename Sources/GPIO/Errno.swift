import Glibc

/// An error number the kernel or libgpiod reported.
public struct Errno: RawRepresentable, Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: CInt

    public init(rawValue: CInt) { self.rawValue = rawValue }

    /// The calling thread's `errno`, read right after a failed call.
    static var current: Errno { Errno(rawValue: Glibc.errno) }

    public static let noSuchFileOrDirectory = Errno(rawValue: ENOENT)
    public static let permissionDenied = Errno(rawValue: EACCES)
    public static let notPermitted = Errno(rawValue: EPERM)
    public static let resourceBusy = Errno(rawValue: EBUSY)
    public static let invalidArgument = Errno(rawValue: EINVAL)
    public static let interrupted = Errno(rawValue: EINTR)
    public static let noSuchDevice = Errno(rawValue: ENODEV)
    public static let notATerminal = Errno(rawValue: ENOTTY)

    /// The C library's text for the error and its number, e.g. "Device or resource busy (errno 16)".
    public var description: String {
        "\(String(cString: strerror(rawValue))) (errno \(rawValue))"
    }
}
