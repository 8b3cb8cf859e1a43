import Foundation

/// One ALSA configuration for the whole test process: PCM templates that read and write files
/// through ALSA's `file` plugin over the `null` PCM, so tests run real alsa-lib with no sound card.
///
/// `ALSA_CONFIG_PATH` is process-wide, so every test shares this one file and passes its own
/// paths as PCM arguments: `auxfile_in:FILE=/path/in.raw`.
public enum FilePCMConfig {
    public static let installed: Void = {
        setenv("ALSA_CONFIG_PATH", configPath, 1)
    }()

    /// The value for `ALSA_CONFIG_PATH`, also for child processes (the built binary).
    public static let configPath: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auxchain-alsa-tests-\(getpid())")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("asound.conf")
        try! text.write(to: config, atomically: true, encoding: .utf8)
        // Readable by the unprivileged user some tests run the daemon as, whatever the umask.
        chmod(folder.path, 0o755)
        chmod(config.path, 0o644)
        return "/usr/share/alsa/alsa.conf:\(config.path)"
    }()

    static let text = """
        pcm.auxfile_in {
            @args [ FILE ]
            @args.FILE { type string }
            type file
            slave.pcm "null"
            file "/dev/null"
            infile $FILE
            format "raw"
        }
        pcm.auxfile_out {
            @args [ FILE ]
            @args.FILE { type string }
            type file
            slave.pcm "null"
            file $FILE
            format "raw"
        }
        # Takes integer formats only: FLOAT_LE is refused, as a real 16/24-bit device would.
        pcm.aux_integer_only {
            type linear
            slave { pcm "null" format S16_LE }
        }
        """

    public static func capture(_ url: URL) -> String { "auxfile_in:FILE=\(url.path)" }
    public static func playback(_ url: URL) -> String { "auxfile_out:FILE=\(url.path)" }

    public static func temporaryFolder() -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auxchain-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
