import AuxChainCore
import Foundation
import GPIO

/// Everything `auxchain run --simulate` sets up: the programme, the file devices, and a config
/// whose timings make the whole product visible in under a minute.
public struct Simulation: Sendable {
    public let config: AuxChainConfig
    public let devices: SimulatedDevices
    /// A Pi header's worth of lines; the relay sits where the config puts it (BCM 17 by default).
    public let chip: SimulatedChip

    /// `base` is the user's config, if they gave one: its volume and power settings are kept,
    /// its devices replaced by the simulated ones.
    public static func prepare(base: AuxChainConfig?, output: String) throws -> Simulation {
        var config = base ?? AuxChainConfig()
        if base == nil {
            // Shorter than a home would use, so a short run shows the relay going off.
            config.power.settle = .milliseconds(800)
            config.power.offDelay = .seconds(8)
            config.power.minimumOn = .seconds(3)
            config.power.minimumOff = .seconds(1)
        }
        if config.power.relay == nil {
            config.power.relay = OutputLineSettings(line: .offset(17), activeLow: true)
        }
        config.audio.capture = SimulatedDevices.capturePCM
        config.audio.playback = SimulatedDevices.playbackPCM
        config.audio.captureFormat = .s16
        config.audio.captureChannels = 2
        config.audio.realtimePriority = 0
        let programme = EchoProgramme.standard(rate: config.audio.rate, offDelay: config.power.offDelay)
        let outputURL = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let devices = try SimulatedDevices.install(programme: programme, outputWAV: outputURL)
        // The simulation's socket and state live with its files, so it never touches a real install.
        config.control.socketPath = devices.folder.appendingPathComponent("control.sock").path
        config.control.group = nil
        config.state.path = devices.folder.appendingPathComponent("state.json").path
        let chip = SimulatedChip(name: "gpiochip0", label: "simulated-pi-header", lineCount: 28)
        return Simulation(config: config, devices: devices, chip: chip)
    }

    public func options(duration: Duration?) -> RunOptions {
        RunOptions(
            duration: duration ?? devices.programme.length,
            pacedByWallClock: true,
            timeline: TimelineSettings(programme: devices.programme),
            gpioChip: chip)
    }

    public var introduction: String {
        let audio = config.audio
        return """
            AuxChain simulation: a generated Echo programme (\(Int(devices.programme.length.components.seconds)) s) through real alsa-lib file devices.
              capture  \(audio.capture) \(audio.captureFormat.alsaName) \(audio.rate) Hz \(audio.captureChannels) ch
              playback \(audio.playback) \(audio.playbackFormat.alsaName) \(audio.playbackChannels) ch → \(devices.outputWAV.path)
              period \(audio.periodFrames) frames, prefill \(audio.prefillPeriods) periods
              relay on simulated GPIO line \(config.power.relay!.line); settle \(config.power.settle), off delay \(config.power.offDelay)
              control socket \(config.control.socketPath) (try: auxchain volume 30 --socket \(config.control.socketPath))
            """
    }
}
