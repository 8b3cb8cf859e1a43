/// A config for running the built daemon in a test: file PCMs, the speaker forced on with no
/// warm-up (so audio flows from the first period), and socket and state in `folder`.
public func testDaemonConfig(capture: String, playback: String, folder: String, volume: String = "", extra: String = "") -> String {
    """
    [audio]
    capture = "\(capture)"
    playback = "\(playback)"
    capture_format = "S16_LE"
    playback_format = "S16_LE"
    period_frames = 256
    prefill_periods = 2
    realtime_priority = 0
    [volume]
    ramp_ms = 5
    \(volume)
    [power]
    mode = "on"
    settle_ms = 0
    min_off_s = 0
    [control]
    socket = "\(folder)/control.sock"
    group = ""
    [state]
    path = "\(folder)/state.json"
    \(extra)
    """
}
