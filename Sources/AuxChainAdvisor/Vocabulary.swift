// The closed vocabularies of the advisor. Their raw values are stable identifiers that scripts
// and the knowledge file rely on: renaming one is a breaking change.

/// A way to get an Echo's audio onto other speakers.
public enum MethodID: String, CaseIterable, Codable, Sendable, CodingKeyRepresentable, Comparable {
    case auxOutChain = "aux-out-chain"
    case phoneBluetoothRelay = "phone-bluetooth-relay"
    case echoBluetoothPairing = "echo-bluetooth-pairing"
    case amazonMultiroom = "amazon-multiroom"
    case echoStereoPair = "echo-stereo-pair"
    case snapcastMultiroom = "snapcast-multiroom"

    public static func < (lhs: MethodID, rhs: MethodID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What kind of speaker the user wants the Echo's audio on.
public enum SpeakerKind: String, CaseIterable, Codable, Sendable, CodingKeyRepresentable {
    case poweredAnalog = "powered-analog"
    case bluetooth
    case wifi
    case echo
    case passive
    case hearingAid = "hearing-aid"
}

/// What the user wants the setup to be good at.
public enum Goal: String, CaseIterable, Codable, Sendable, CodingKeyRepresentable {
    case background
    case party
    case stereo
    case voiceReplies = "voice-replies"
    case multiroom
    case hearingAssist = "hearing-assist"
    case tv
    case lowLatency = "low-latency"
}

/// Where the music comes from.
public enum MusicService: String, CaseIterable, Codable, Sendable, CodingKeyRepresentable {
    case amazonMusic = "amazon-music"
    case spotify
    case appleMusic = "apple-music"
    case tidal
    case localFiles = "local-files"
}

/// How sure a source or the knowledge file is about a fact.
public enum Confidence: String, CaseIterable, Codable, Sendable {
    case high
    case medium
    case low
}

/// Whether an Echo model has a 3.5 mm audio output.
public enum LineOut: String, CaseIterable, Codable, Sendable {
    case yes
    case no
    /// One jack that the Alexa app sets to line in or line out (Echo 4th Gen).
    case switchable
    case unknown
}
