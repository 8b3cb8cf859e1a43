import ALSA
import AuxChainCore
import AuxChainDSP
import GPIO
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
    /// A chip to use instead of the config's (the simulation's), with the relay at the config's line.
    public var gpioChip: (any GPIOChip)?
    /// The config file, re-read on SIGHUP; nil when the config was not read from a file.
    public var configPath: String?

    public init(duration: Duration? = nil, pacedByWallClock: Bool = false, timeline: TimelineSettings? = nil, gpioChip: (any GPIOChip)? = nil) {
        self.duration = duration
        self.pacedByWallClock = pacedByWallClock
        self.timeline = timeline
        self.gpioChip = gpioChip
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
        let chip = try options.gpioChip ?? GPIOSetup.openChip(config)
        let relay = try config.power.relay.map { settings throws(DaemonError) in
            guard let chip else { throw DaemonError.configuration("power.relay needs a GPIO chip: set [gpio] board or chip") }
            return try GPIOSetup.requestRelay(settings, on: chip)
        }

        let controls = EngineControls()
        let store = StateStore(path: config.state.path)
        let load = store.load(defaults: SavedState(volumePercent: config.volume.safeStartPercent, muted: false, powerMode: config.power.mode))
        if let warning = load.warning { logger.warning("\(warning)") }
        // At maximum attenuation from here until the controller's first volume transition.
        let attenuator: AttenuatorStage?
        if config.attenuator != .none {
            guard let chip else { throw DaemonError.configuration("[attenuator] needs a GPIO chip: set [gpio] board or chip") }
            attenuator = try await AttenuatorStage(settings: config.attenuator, chip: chip, logger: logger)
        } else {
            attenuator = nil
        }
        let controller = Controller(
            config: config, saved: load.state, store: store, controls: controls, relay: relay, attenuator: attenuator, logger: logger)

        let server: ControlServer
        do {
            server = try ControlServer(settings: config.control, handler: controller, logger: logger)
        } catch {
            throw DaemonError(error)
        }
        let relayLine = config.power.relay.map { "\($0.line)" }
        await controller.observe { event in
            if let forwarded = ControlEvent(event, relayLine: relayLine) { server.broadcast(forwarded) }
        }

        let engine = AudioEngine(
            settings: settings,
            processor: ChainProcessor(
                audio: audio, volume: config.volume, power: config.power,
                preRollFrames: Controller.preRollFrames(power: config.power, ramp: config.volume.ramp, rate: audio.rate, periodFrames: audio.periodFrames)),
            controls: controls, logger: logger)

        // Started in this order, shut down in reverse: the controller ramps the audio down,
        // switches the relay off and saves the state while the audio still runs; then the audio
        // stops and its devices close, with the speaker already off; then the socket closes.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let timeline = options.timeline {
            let printer = TimelinePrinter(settings: timeline, controls: controls, rate: audio.rate)
            await controller.observe { printer.report($0) }
            services.append(.init(service: printer, serviceName: "timeline"))
        }
        services.append(.init(service: server, serviceName: "control"))
        if config.inputs.trigger != nil || !config.inputs.buttons.isEmpty {
            guard let chip else { throw DaemonError.configuration("[inputs] need a GPIO chip: set [gpio] board or chip") }
            let watcher = try InputWatcher(settings: config.inputs, chip: chip, logger: logger) { event in
                switch event {
                case .buttonPressed(let action): await controller.handle(action)
                case .triggerHigh: await controller.handle(PowerEvent.triggerHigh)
                case .triggerLow: await controller.handle(PowerEvent.triggerLow)
                }
            }
            services.append(.init(service: watcher, serviceName: "inputs"))
        }
        services.append(.init(service: AudioService(engine: engine), successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "audio"))
        services.append(.init(service: ControllerService(controller: controller, controls: controls, server: server), serviceName: "controller"))
        let systemd = SystemdService(controls: controls, logger: logger)
        if let systemd {
            services.append(.init(service: systemd, serviceName: "systemd"))
        }
        let notify: (@Sendable ([NotifyState]) -> Void)? = systemd.map { service in { @Sendable states in service.send(states) } }
        let reload = ReloadService(path: options.configPath, running: config, controller: controller, notify: notify, logger: logger)
        services.append(.init(service: reload, serviceName: "reload"))
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    static func frames(_ duration: Duration, rate: Int) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * rate + Int((Double(attoseconds) * 1e-18 * Double(rate)).rounded())
    }
}
