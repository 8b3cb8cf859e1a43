import CALSA

/// A PCM alsa-lib knows by name, from its device hints.
public struct PCMDescription: Sendable, Equatable {
    public var name: String
    /// The hint's description, first line only.
    public var summary: String
    public var canCapture: Bool
    public var canPlay: Bool
}

/// A sound card the kernel has.
public struct CardDescription: Sendable, Equatable {
    public var index: Int
    /// The stable id used in `hw:CARD=<id>,DEV=0` (set by a udev rule for a fixed name).
    public var id: String
    public var name: String
    public var longName: String
}

/// What sound devices exist, for `auxchain devices` and for errors that name the alternatives.
public enum DeviceCatalog {
    /// PCMs from alsa-lib's hints plus the plain (argument-free) PCMs defined in the ALSA config,
    /// which is where file and other plugin PCMs of a user's asound.conf live.
    public static func pcms() -> [PCMDescription] {
        snd_config_update()
        var result: [PCMDescription] = []
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        if snd_device_name_hint(-1, "pcm", &hints) == 0, let hints {
            var cursor = hints
            while let hint = cursor.pointee {
                let name = takeHint(hint, "NAME") ?? ""
                let summary = (takeHint(hint, "DESC") ?? "").split(separator: "\n").first.map(String.init) ?? ""
                let ioid = takeHint(hint, "IOID")
                if !name.isEmpty {
                    result.append(PCMDescription(
                        name: name, summary: summary,
                        canCapture: ioid == nil || ioid == "Input", canPlay: ioid == nil || ioid == "Output"))
                }
                cursor += 1
            }
            snd_device_name_free_hint(hints)
        }
        for name in configuredPCMNames() where !result.contains(where: { $0.name == name }) {
            result.append(PCMDescription(name: name, summary: "defined in the ALSA configuration", canCapture: true, canPlay: true))
        }
        return result
    }

    /// The names usable in the given direction, for error messages.
    public static func pcmNames(direction: PCMDirection) -> [String] {
        pcms().filter { direction == .capture ? $0.canCapture : $0.canPlay }.map(\.name)
    }

    /// The kernel's sound cards. The corresponding C functions are `snd_card_next` and `snd_ctl_card_info`.
    public static func cards() -> [CardDescription] {
        var result: [CardDescription] = []
        var index: Int32 = -1
        while snd_card_next(&index) == 0, index >= 0 {
            var name: UnsafeMutablePointer<CChar>?
            var longName: UnsafeMutablePointer<CChar>?
            snd_card_get_name(index, &name)
            snd_card_get_longname(index, &longName)
            var id = "\(index)"
            var ctl: OpaquePointer?
            if snd_ctl_open(&ctl, "hw:\(index)", 0) == 0, let ctl {
                var info: OpaquePointer?
                snd_ctl_card_info_malloc(&info)
                if let info, snd_ctl_card_info(ctl, info) == 0 {
                    id = String(cString: snd_ctl_card_info_get_id(info))
                }
                if let info { snd_ctl_card_info_free(info) }
                snd_ctl_close(ctl)
            }
            result.append(CardDescription(
                index: Int(index), id: id,
                name: name.map { String(cString: $0) } ?? "",
                longName: longName.map { String(cString: $0) } ?? ""))
            free(name)
            free(longName)
        }
        return result
    }

    private static func takeHint(_ hint: UnsafeMutableRawPointer, _ key: String) -> String? {
        guard let value = snd_device_name_get_hint(hint, key) else { return nil }
        defer { free(value) }
        return String(cString: value)
    }

    /// Top-level `pcm.NAME` definitions that take no arguments, skipping the stock ones that only
    /// make sense with a card (their definitions take `@args`).
    private static func configuredPCMNames() -> [String] {
        // A reference of our own: the global tree may be replaced by a reload at any time.
        var top: OpaquePointer?
        guard snd_config_update_ref(&top) >= 0, let root = top else { return [] }
        defer { snd_config_unref(root) }
        var pcmNode: OpaquePointer?
        guard snd_config_search(root, "pcm", &pcmNode) == 0, let pcmNode else { return [] }
        var names: [String] = []
        var iterator = snd_config_iterator_first(pcmNode)
        let end = snd_config_iterator_end(pcmNode)
        while iterator != end {
            if let node = snd_config_iterator_entry(iterator) {
                var id: UnsafePointer<CChar>?
                var args: OpaquePointer?
                if snd_config_get_id(node, &id) == 0, let id,
                   snd_config_get_type(node) == SND_CONFIG_TYPE_COMPOUND,
                   snd_config_search(node, "@args", &args) != 0 {
                    names.append(String(cString: id))
                }
            }
            iterator = snd_config_iterator_next(iterator)
        }
        return names
    }
}
