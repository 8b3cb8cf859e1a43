import Glibc

/// The system's group database, as `[control] group` is checked against it.
public enum SystemGroups {
    /// The id of the group named `name`; nil when there is none.
    /// The corresponding C function is `getgrnam_r`.
    public static func id(named name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        while true {
            let status = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
            if status == ERANGE && buffer.count < 1 << 20 {
                buffer = [CChar](repeating: 0, count: buffer.count * 4)
                continue
            }
            guard status == 0, result != nil else { return nil }
            return entry.gr_gid
        }
    }
}
