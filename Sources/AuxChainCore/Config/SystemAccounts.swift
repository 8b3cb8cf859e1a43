import Glibc

/// The system's group database, as `[control] group` is checked against it.
public enum SystemGroups {
    /// The id of the group named `name`; nil when there is none.
    /// The corresponding C function is `getgrnam_r`.
    public static func id(named name: String) -> UInt32? {
        var entry = group()
        return lookUp { buffer, size, result in
            var found: UnsafeMutablePointer<group>?
            let status = getgrnam_r(name, &entry, buffer, size, &found)
            result = found.map { $0.pointee.gr_gid }
            return status
        }
    }
}

/// The system's user database, for naming a refused control client.
public enum SystemUsers {
    /// The passwd name of `userID`; nil when it has no entry.
    /// The corresponding C function is `getpwuid_r`.
    public static func name(of userID: UInt32) -> String? {
        var entry = passwd()
        return lookUp { buffer, size, result in
            var found: UnsafeMutablePointer<passwd>?
            let status = getpwuid_r(userID, &entry, buffer, size, &found)
            result = found?.pointee.pw_name.map { String(cString: $0) }
            return status
        }
    }
}

/// Runs one of the reentrant NSS calls (`get…_r`) with a buffer that grows while the call says
/// ERANGE (entries with many members need more than the first 4 KiB), up to 1 MiB.
private func lookUp<Found>(
    _ call: (_ buffer: UnsafeMutablePointer<CChar>, _ size: Int, _ result: inout Found?) -> Int32
) -> Found? {
    var size = 4096
    while true {
        var result: Found?
        let status = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buffer in
            call(buffer.baseAddress!, size, &result)
        }
        if status == ERANGE && size < 1 << 20 {
            size *= 4
            continue
        }
        return status == 0 ? result : nil
    }
}
