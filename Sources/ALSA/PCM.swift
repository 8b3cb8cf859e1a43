import CALSA
import Glibc

/// Which way audio flows through a PCM.
public enum PCMDirection: Sendable, CustomStringConvertible {
    case capture
    case playback

    var cValue: snd_pcm_stream_t { self == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK }
    public var description: String { self == .capture ? "capture" : "playback" }
}

/// The geometry AuxChain asks a device for.
public struct PCMParameters: Sendable, Equatable, CustomStringConvertible {
    public var format: PCMFormat
    public var rate: Int
    public var channels: Int
    public var periodFrames: Int
    public var bufferFrames: Int

    public init(format: PCMFormat, rate: Int, channels: Int, periodFrames: Int, bufferFrames: Int) {
        self.format = format
        self.rate = rate
        self.channels = channels
        self.periodFrames = periodFrames
        self.bufferFrames = bufferFrames
    }

    public var bytesPerFrame: Int { format.bytesPerSample * channels }

    public var description: String {
        "\(format) \(rate) Hz \(channels) ch, period \(periodFrames) frames, buffer \(bufferFrames) frames"
    }
}

/// An open ALSA PCM. Owned by exactly one thread; closed exactly once when it goes out of scope.
///
/// The per-period calls (`read`, `write`, `recover`) return alsa-lib's raw counts instead of
/// throwing, because a thrown Swift error allocates and they run in the audio loop.
public struct PCM: ~Copyable {
    public let name: String
    public let direction: PCMDirection
    /// What the device granted, which may differ from what was asked (period and buffer sizes).
    public private(set) var granted: PCMParameters?
    let handle: OpaquePointer

    /// Opens `name` (`hw:CARD=…,DEV=…`, `plughw:…`, `default`, a plugin PCM from asound.conf).
    ///
    /// Opens non-blocking so a busy device fails at once instead of waiting, then switches to
    /// blocking I/O for the audio loop. The corresponding C function is `snd_pcm_open`.
    public init(name: String, direction: PCMDirection) throws(ALSAError) {
        _ = PCM.libraryMessagesSilenced
        var pcm: OpaquePointer?
        let code = snd_pcm_open(&pcm, name, direction.cValue, SND_PCM_NONBLOCK)
        guard code >= 0, let pcm else {
            var error = ALSAError.fromCode(code, device: name, operation: "opening for \(direction)")
            if error.kind == .deviceNotFound {
                let known = DeviceCatalog.pcmNames(direction: direction)
                error.message += "; PCMs that exist: " + (known.isEmpty ? "none" : known.joined(separator: ", "))
            }
            throw error
        }
        snd_pcm_nonblock(pcm, 0)
        self.name = name
        self.direction = direction
        self.handle = pcm
    }

    deinit {
        snd_pcm_close(handle)
    }

    /// Set once per process, before the first open: see `CALSA_silenceLibraryErrors`.
    private static let libraryMessagesSilenced: Void = CALSA_silenceLibraryErrors()

    /// Negotiates interleaved access, format, channels, rate and the period/buffer geometry,
    /// and returns what the device granted. Streams do not start on their own: the caller
    /// prefills playback and calls `start()`.
    @discardableResult
    public mutating func configure(_ wanted: PCMParameters) throws(ALSAError) -> PCMParameters {
        var hw: OpaquePointer?
        snd_pcm_hw_params_malloc(&hw)
        guard let hw else { throw refused("allocating hardware parameters", "out of memory") }
        defer { snd_pcm_hw_params_free(hw) }

        try check(snd_pcm_hw_params_any(handle, hw), "reading its capabilities")
        try check(snd_pcm_hw_params_set_access(handle, hw, SND_PCM_ACCESS_RW_INTERLEAVED), "setting interleaved access")

        if snd_pcm_hw_params_test_format(handle, hw, wanted.format.cValue) < 0 {
            let supported = PCMFormat.allCases.filter { snd_pcm_hw_params_test_format(handle, hw, $0.cValue) == 0 }
            throw refused(
                "setting format \(wanted.format)",
                "it takes " + (supported.isEmpty ? "none of \(PCMFormat.allowedNames)" : supported.map(\.rawValue).joined(separator: ", "))
                    + "; set \(direction)_format to one of them")
        }
        try check(snd_pcm_hw_params_set_format(handle, hw, wanted.format.cValue), "setting format \(wanted.format)")

        if snd_pcm_hw_params_test_channels(handle, hw, UInt32(wanted.channels)) < 0 {
            var low: UInt32 = 0, high: UInt32 = 0
            snd_pcm_hw_params_get_channels_min(hw, &low)
            snd_pcm_hw_params_get_channels_max(hw, &high)
            throw refused(
                "setting \(wanted.channels) channels",
                "it takes \(low == high ? "\(low)" : "\(low) to \(high)") channels; set \(direction)_channels accordingly")
        }
        try check(snd_pcm_hw_params_set_channels(handle, hw, UInt32(wanted.channels)), "setting \(wanted.channels) channels")

        if snd_pcm_hw_params_test_rate(handle, hw, UInt32(wanted.rate), 0) < 0 {
            var low: UInt32 = 0, high: UInt32 = 0, dir: Int32 = 0
            snd_pcm_hw_params_get_rate_min(hw, &low, &dir)
            snd_pcm_hw_params_get_rate_max(hw, &high, &dir)
            throw refused(
                "setting rate \(wanted.rate) Hz",
                "it takes \(low == high ? "\(low)" : "\(low) to \(high)") Hz; set rate accordingly, or use a plughw: device to resample")
        }
        try check(snd_pcm_hw_params_set_rate(handle, hw, UInt32(wanted.rate), 0), "setting rate \(wanted.rate) Hz")

        var period = snd_pcm_uframes_t(wanted.periodFrames)
        var dir: Int32 = 0
        try check(snd_pcm_hw_params_set_period_size_near(handle, hw, &period, &dir), "setting period \(wanted.periodFrames) frames")
        var buffer = snd_pcm_uframes_t(max(wanted.bufferFrames, Int(period) * 2))
        try check(snd_pcm_hw_params_set_buffer_size_near(handle, hw, &buffer), "setting buffer \(wanted.bufferFrames) frames")
        try check(snd_pcm_hw_params(handle, hw), "applying \(wanted)")

        snd_pcm_hw_params_get_period_size(hw, &period, &dir)
        snd_pcm_hw_params_get_buffer_size(hw, &buffer)

        var sw: OpaquePointer?
        snd_pcm_sw_params_malloc(&sw)
        guard let sw else { throw refused("allocating software parameters", "out of memory") }
        defer { snd_pcm_sw_params_free(sw) }
        try check(snd_pcm_sw_params_current(handle, sw), "reading software parameters")
        var boundary: snd_pcm_uframes_t = 0
        snd_pcm_sw_params_get_boundary(sw, &boundary)
        try check(snd_pcm_sw_params_set_start_threshold(handle, sw, boundary), "disabling automatic start")
        try check(snd_pcm_sw_params_set_avail_min(handle, sw, period), "setting the wake-up threshold")
        try check(snd_pcm_sw_params(handle, sw), "applying software parameters")

        let result = PCMParameters(
            format: wanted.format, rate: wanted.rate, channels: wanted.channels,
            periodFrames: Int(period), bufferFrames: Int(buffer))
        granted = result
        return result
    }

    /// Starts a stream that was configured not to start on its own. The corresponding C function is `snd_pcm_start`.
    public func start() throws(ALSAError) {
        try check(snd_pcm_start(handle), "starting the stream")
    }

    /// Stops at once, discarding queued frames. The corresponding C function is `snd_pcm_drop`.
    public func drop() {
        snd_pcm_drop(handle)
    }

    /// Plays out what is queued, then stops. The corresponding C function is `snd_pcm_drain`.
    public func drain() {
        snd_pcm_drain(handle)
    }

    /// Makes a stopped stream ready to start again. The corresponding C function is `snd_pcm_prepare`.
    public func prepare() throws(ALSAError) {
        try check(snd_pcm_prepare(handle), "preparing the stream")
    }

    /// Reads up to `frames` interleaved frames; returns the count read or a negative errno.
    /// The corresponding C function is `snd_pcm_readi`.
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawPointer, frames: Int) -> Int {
        Int(snd_pcm_readi(handle, buffer, snd_pcm_uframes_t(frames)))
    }

    /// Writes up to `frames` interleaved frames; returns the count written or a negative errno.
    /// The corresponding C function is `snd_pcm_writei`.
    @inline(__always)
    public func write(from buffer: UnsafeRawPointer, frames: Int) -> Int {
        Int(snd_pcm_writei(handle, buffer, snd_pcm_uframes_t(frames)))
    }

    /// Recovers from an overrun/underrun (-EPIPE), a suspend (-ESTRPIPE) or an interrupted call;
    /// returns 0 when the stream is usable again, else the negative errno (the device is gone).
    /// The corresponding C function is `snd_pcm_recover`.
    @inline(__always)
    public func recover(from code: Int) -> Int32 {
        snd_pcm_recover(handle, Int32(code), 1)
    }

    /// Frames ready to read or write, and the stream's delay (frames between the application
    /// and the converter). The corresponding C function is `snd_pcm_avail_delay`.
    @inline(__always)
    public func availableAndDelay() -> (available: Int, delay: Int)? {
        var available: snd_pcm_sframes_t = 0
        var delay: snd_pcm_sframes_t = 0
        guard snd_pcm_avail_delay(handle, &available, &delay) >= 0 else { return nil }
        return (Int(available), Int(delay))
    }

    /// False for the file and null plugins, which no sound card clocks: they move data as fast
    /// as they are called (tests, benchmarks, the simulation), so there is no drift to correct
    /// and nothing to wait for.
    public var isClocked: Bool {
        let type = snd_pcm_type(handle)
        return type != SND_PCM_TYPE_FILE && type != SND_PCM_TYPE_NULL
    }

    /// alsa-lib's words for a negative return code.
    public static func describe(_ code: Int32) -> String {
        String(cString: snd_strerror(code))
    }

    /// True for the codes that mean the device has gone away rather than hiccuped.
    @inline(__always)
    public static func isDeviceGone(_ code: Int) -> Bool {
        code == -Int(ENODEV) || code == -Int(ENOTTY) || code == -Int(EBADFD) || code == -Int(ENXIO)
    }

    /// True for the codes that mean an xrun or a suspend: the stream must be restarted.
    @inline(__always)
    public static func isRecoverable(_ code: Int) -> Bool {
        code == -Int(EPIPE) || code == -Int(ESTRPIPE)
    }

    /// True for a call a signal interrupted: nothing was lost, call again.
    @inline(__always)
    public static func isInterrupted(_ code: Int) -> Bool {
        code == -Int(EINTR)
    }

    private func check(_ code: Int32, _ operation: String) throws(ALSAError) {
        if code < 0 { throw ALSAError.fromCode(code, device: name, operation: operation) }
    }

    private func refused(_ operation: String, _ advice: String) -> ALSAError {
        ALSAError(
            kind: .unsupportedConfiguration, device: name, operation: operation, code: -EINVAL,
            message: "ALSA device '\(name)' (\(direction)): \(operation) refused: \(advice)")
    }
}
