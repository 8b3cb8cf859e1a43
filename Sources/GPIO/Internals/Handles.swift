// The handles are owned by one value at a time, so moving one to another thread is safe; the
// Mutex each lives in serializes its use.

/// An open chip, closed exactly once when it goes away.
struct ChipHandle: ~Copyable, @unchecked Sendable {
    let pointer: OpaquePointer

    init(opening path: String) throws(Errno) {
        pointer = try shim_chipOpen(path)
    }

    deinit { shim_chipClose(pointer) }
}

/// A granted line request, released exactly once when it goes away.
struct LineRequestHandle: ~Copyable, @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { shim_requestRelease(pointer) }
}
