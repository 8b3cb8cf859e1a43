import CALSA
import Glibc

/// A failed alsa-lib call: what was being done, on which device, and the errno it returned.
public struct ALSAError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No PCM or card by that name: a typo, an unplugged device, or a missing config definition.
        case deviceNotFound
        /// The device exists but another program holds it.
        case deviceBusy
        /// The device disappeared while open (unplugged, driver unbound).
        case deviceGone
        case permissionDenied
        /// The device refused a format, rate, channel count or buffer geometry.
        case unsupportedConfiguration
        case io
    }

    public var kind: Kind
    /// The PCM name as the user gave it.
    public var device: String
    /// What AuxChain was doing, in words ("opening for capture").
    public var operation: String
    /// alsa-lib's negative errno, or 0 when the failure is ours (a refused parameter).
    public var code: Int32
    /// The sentence a person reads: what failed and what to do.
    public var message: String

    public var description: String { message }

    init(kind: Kind, device: String, operation: String, code: Int32, message: String) {
        self.kind = kind
        self.device = device
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// Builds the error for a negative return of an alsa-lib call.
    static func fromCode(_ code: Int32, device: String, operation: String) -> ALSAError {
        let reason = String(cString: snd_strerror(code))
        let kind: Kind
        let advice: String
        switch -code {
        case ENOENT, ENXIO:
            kind = .deviceNotFound
            advice = "check the name with 'auxchain devices' and that the device is plugged in"
        case ENODEV, ENOTTY:
            kind = .deviceGone
            advice = "the device was removed; AuxChain reopens it when it returns"
        case EBUSY:
            kind = .deviceBusy
            advice = "another program holds it; stop that program (see 'fuser -v /dev/snd/*')"
        case EACCES, EPERM:
            kind = .permissionDenied
            advice = "add the user that runs auxchain to group 'audio' (usermod -aG audio USER, then log in again); "
                + "the systemd unit gives its service SupplementaryGroups=audio"
        case EINVAL:
            kind = .unsupportedConfiguration
            advice = "the device refused the requested parameters"
        default:
            kind = .io
            advice = "see the kernel log ('journalctl -k') for the device"
        }
        return ALSAError(
            kind: kind, device: device, operation: operation, code: code,
            message: "ALSA device '\(device)': \(operation) failed: \(reason); \(advice)")
    }
}
