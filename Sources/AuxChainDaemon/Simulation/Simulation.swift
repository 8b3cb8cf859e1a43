import AuxChainCore
import Foundation

/// Everything `auxchain run --simulate` sets up: the programme, the file devices, and a config
/// whose timings make the whole product visible in under a minute.
public struct Simulation: Sendable {
    public let config: AuxChainConfig
    public let devices: SimulatedDevices

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
        config.audio.capture = SimulatedDevices.capturePCM
        config.audio.playback = SimulatedDevices.playbackPCM
        config.audio.captureFormat = .s16
        config.audio.captureChannels = 2
        config.audio.realtimePriority = 0
        let programme = EchoProgramme.standard(rate: config.audio.rate, offDelay: config.power.offDelay)
        let outputURL = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let devices = try SimulatedDevices.install(programme: programme, outputWAV: outputURL)
        return Simulation(config: config, devices: devices)
    }

    public func options(duration: Duration?) -> RunOptions {
        RunOptions(
            duration: duration ?? devices.programme.length,
            pacedByWallClock: true,
            timeline: TimelineSettings(programme: devices.programme))
    }

    public var introduction: String {
        let audio = config.audio
        return """
            AuxChain simulation: a generated Echo programme (\(Int(devices.programme.length.components.seconds)) s) through real alsa-lib file devices.
              capture  \(audio.capture) \(audio.captureFormat.alsaName) \(audio.rate) Hz \(audio.captureChannels) ch
              playback \(audio.playback) \(audio.playbackFormat.alsaName) \(audio.playbackChannels) ch → \(devices.outputWAV.path)
              period \(audio.periodFrames) frames, prefill \(audio.prefillPeriods) periods
            """
    }
}
