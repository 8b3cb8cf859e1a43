import Foundation

/// ALSA file PCMs standing in for a line-in and a DAC: the capture side reads the generated
/// Echo programme, the playback side writes what the speaker would get to a WAV file.
///
/// This is real alsa-lib (the `file` plugin over the `null` PCM), so `--simulate` runs the
/// same engine code as a Pi; only the devices are files.
public struct SimulatedDevices: Sendable {
    public static let capturePCM = "auxchain_simulated_echo"
    public static let playbackPCM = "auxchain_simulated_speaker"

    public let folder: URL
    public let programme: EchoProgramme
    public let outputWAV: URL

    /// Writes the programme and an ALSA config into a fresh folder and points alsa-lib at it.
    /// Must run before the process's first ALSA call.
    public static func install(programme: EchoProgramme, outputWAV: URL) throws -> SimulatedDevices {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auxchain-simulate-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            return try install(programme: programme, outputWAV: outputWAV, in: folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    private static func install(programme: EchoProgramme, outputWAV: URL, in folder: URL) throws -> SimulatedDevices {
        let input = folder.appendingPathComponent("echo-line-out.raw")
        let samples = programme.renderS16Stereo()
        try samples.withUnsafeBytes { Data($0) }.write(to: input)
        try? FileManager.default.removeItem(at: outputWAV)

        let config = folder.appendingPathComponent("asound.conf")
        try """
            pcm.\(capturePCM) {
                type file
                slave.pcm "null"
                file "/dev/null"
                infile "\(input.path)"
                format "raw"
            }
            pcm.\(playbackPCM) {
                type file
                slave.pcm "null"
                file "\(outputWAV.path)"
                format "wav"
            }
            """.write(to: config, atomically: true, encoding: .utf8)
        setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:\(config.path)", 1)
        return SimulatedDevices(folder: folder, programme: programme, outputWAV: outputWAV)
    }

    public func removeTemporaryFiles() {
        try? FileManager.default.removeItem(at: folder)
    }
}
