import CGPIOD
import Glibc

// One function per CGPIOD call, so each call into libgpiod is in one place. Each returns what
// the call gives or throws the errno it left.

func shim_version() -> String {
    String(cString: CGPIOD_version())
}

func shim_hasKernelDebounce() -> Bool {
    CGPIOD_has_kernel_debounce()
}

func shim_chipOpen(_ path: String) throws(Errno) -> OpaquePointer {
    guard let chip = CGPIOD_chip_open(path) else { throw Errno.current }
    return chip
}

func shim_chipClose(_ chip: OpaquePointer) {
    CGPIOD_chip_close(chip)
}

/// The chip's info; `path` is the caller's to fill in.
func shim_chipInfo(_ chip: OpaquePointer, path: String) throws(Errno) -> ChipInfo {
    var raw = CGPIOD_chip_info()
    guard CGPIOD_chip_get_info(chip, &raw) == 0 else { throw Errno.current }
    return ChipInfo(
        path: path, name: cName(&raw.name) ?? "", label: cName(&raw.label) ?? "", lineCount: Int(raw.num_lines))
}

func shim_lineInfo(_ chip: OpaquePointer, _ offset: LineOffset) throws(Errno) -> LineInfo {
    var raw = CGPIOD_line_info()
    guard CGPIOD_chip_get_line_info(chip, offset.rawValue, &raw) == 0 else { throw Errno.current }
    return LineInfo(
        offset: LineOffset(raw.offset), name: cName(&raw.name), consumer: cName(&raw.consumer), isUsed: raw.used,
        direction: raw.direction == .DIRECTION_OUTPUT ? .output : .input, isActiveLow: raw.active_low,
        bias: Bias(raw.bias))
}

func shim_findLine(_ chip: OpaquePointer, name: String) throws(Errno) -> LineOffset {
    let offset = CGPIOD_chip_find_line(chip, name)
    guard offset >= 0 else { throw Errno.current }
    return LineOffset(UInt32(offset))
}

func shim_requestOutput(
    _ chip: OpaquePointer, _ offset: LineOffset, _ config: OutputLineConfig
) throws(Errno) -> OpaquePointer {
    guard
        let request = CGPIOD_request_output(
            chip, offset.rawValue, config.consumer, config.activeLow, config.bias.cValue,
            config.initialValue.isActive ? 1 : 0)
    else { throw Errno.current }
    return request
}

func shim_requestInput(
    _ chip: OpaquePointer, _ offset: LineOffset, consumer: String, activeLow: Bool, bias: Bias,
    edges: EdgeDetection, debounceMicroseconds: UInt
) throws(Errno) -> OpaquePointer {
    guard
        let request = CGPIOD_request_input(
            chip, offset.rawValue, consumer, activeLow, bias.cValue, edges.cValue, debounceMicroseconds)
    else { throw Errno.current }
    return request
}

func shim_setValue(_ request: OpaquePointer, _ value: LineValue) throws(Errno) {
    guard CGPIOD_request_set_value(request, value.isActive ? 1 : 0) == 0 else { throw Errno.current }
}

func shim_getValue(_ request: OpaquePointer) throws(Errno) -> LineValue {
    let value = CGPIOD_request_get_value(request)
    guard value >= 0 else { throw Errno.current }
    return LineValue(isActive: value != 0)
}

func shim_eventDescriptor(_ request: OpaquePointer) throws(Errno) -> CInt {
    let descriptor = CGPIOD_request_get_fd(request)
    guard descriptor >= 0 else { throw Errno.current }
    return descriptor
}

func shim_readEvent(_ request: OpaquePointer) throws(Errno) -> EdgeEvent {
    var raw = CGPIOD_event()
    guard CGPIOD_request_read_event(request, &raw) == 0 else { throw Errno.current }
    return EdgeEvent(
        offset: LineOffset(raw.offset), edge: raw.edge == .EDGE_RISING ? .rising : .falling,
        timestamp: .nanoseconds(Int64(clamping: raw.timestamp_ns)))
}

func shim_requestRelease(_ request: OpaquePointer) {
    CGPIOD_request_release(request)
}

/// A fixed-size C name as a String; nil when empty.
private func cName<Tuple>(_ tuple: inout Tuple) -> String? {
    let text = withUnsafeBytes(of: &tuple) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    return text.isEmpty ? nil : text
}

extension Bias {
    fileprivate init(_ bias: CGPIOD_bias) {
        switch bias {
        case .BIAS_AS_IS: self = .asIs
        case .BIAS_DISABLED: self = .disabled
        case .BIAS_PULL_UP: self = .pullUp
        case .BIAS_PULL_DOWN: self = .pullDown
        }
    }

    fileprivate var cValue: CGPIOD_bias {
        switch self {
        case .asIs: .BIAS_AS_IS
        case .disabled: .BIAS_DISABLED
        case .pullUp: .BIAS_PULL_UP
        case .pullDown: .BIAS_PULL_DOWN
        }
    }
}

extension EdgeDetection {
    fileprivate var cValue: CGPIOD_edges {
        switch self {
        case .rising: .EDGES_RISING
        case .falling: .EDGES_FALLING
        case .both: .EDGES_BOTH
        }
    }
}
