import ALSA
import AuxChainCore
import AuxChainDSP
import Logging
import ServiceLifecycle

/// How `auxchain run` was asked to run, beyond the config.
public struct RunOptions: Sendable {
    /// Stop after this much audio.
    public var duration: Duration?
    /// Pace the loop by the wall clock: for file and null PCMs, which no hardware clocks.
    public var pacedByWallClock = false
    /// Print a timeline of what happens (the `--simulate` run).
    public var timeline: TimelineSettings?

    public init(duration: Duration? = nil, pacedByWallClock: Bool = false, timeline: TimelineSettings? = nil) {
        self.duration = duration
        self.pacedByWallClock = pacedByWallClock
        self.timeline = timeline
    }
}

/// The running daemon: the audio engine and the services around it, in one ServiceGroup that
/// shuts down gracefully on SIGTERM and SIGINT.
public enum Daemon {
    public static func run(config: AuxChainConfig, options: RunOptions, logger: Logger) async throws {
        let audio = config.audio
        func parameters(_ encoding: SampleEncoding, channels: Int) -> PCMParameters {
            PCMParameters(
                format: PCMFormat(rawValue: encoding.alsaName)!, rate: audio.rate, channels: channels,
                periodFrames: audio.periodFrames, bufferFrames: audio.bufferFrames)
        }
        let settings = EngineSettings(
            capture: audio.capture, playback: audio.playback,
            captureParameters: parameters(audio.captureFormat, channels: audio.captureChannels),
            playbackParameters: parameters(audio.playbackFormat, channels: audio.playbackChannels),
            prefillPeriods: audio.prefillPeriods, realtimePriority: audio.realtimePriority,
            pacedByWallClock: options.pacedByWallClock,
            frameLimit: options.duration.map { frames($0, rate: audio.rate) })
        let controls = EngineControls()
        controls.digitalGain = 1
        let engine = AudioEngine(
            settings: settings,
            processor: ChainProcessor(audio: audio, volume: config.volume, power: config.power),
            controls: controls, logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: AudioService(engine: engine), successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "audio"),
        ]
        if let timeline = options.timeline {
            services.append(.init(service: TimelinePrinter(settings: timeline, controls: controls, rate: audio.rate), serviceName: "timeline"))
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    static func frames(_ duration: Duration, rate: Int) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * rate + Int((Double(attoseconds) * 1e-18 * Double(rate)).rounded())
    }
}
