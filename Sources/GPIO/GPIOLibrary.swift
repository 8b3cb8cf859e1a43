/// The libgpiod this binary was built against.
public enum GPIOLibrary {
    /// Its version, e.g. "1.6.3" (Debian 12) or "2.1.2". The corresponding C function is `CGPIOD_version`.
    public static var version: String { shim_version() }

    /// True when the kernel debounces inputs (libgpiod 2.x); otherwise `Debouncer` does it in the same way.
    /// The corresponding C function is `CGPIOD_has_kernel_debounce`.
    public static var debouncesInKernel: Bool { shim_hasKernelDebounce() }
}
