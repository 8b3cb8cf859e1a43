/// A chip device that could not be opened while listing, and why.
public struct UnreadableChip: Hashable, Sendable {
    public var path: String
    public var error: Errno

    public init(path: String, error: Errno) {
        self.path = path
        self.error = error
    }
}

/// A chip found while listing, with its lines as they were at that moment.
public struct ListedChip: Hashable, Sendable {
    public var info: ChipInfo
    public var lines: [LineInfo]

    public init(info: ChipInfo, lines: [LineInfo]) {
        self.info = info
        self.lines = lines
    }
}

/// The GPIO chips in a device directory: what `auxchain devices` shows and what `[gpio] chip`
/// is matched against.
public struct ChipListing: Hashable, Sendable {
    /// Chips in the order of their device numbers.
    public var chips: [ListedChip]
    public var unreadable: [UnreadableChip]

    public init(chips: [ListedChip], unreadable: [UnreadableChip]) {
        self.chips = chips
        self.unreadable = unreadable
    }

    /// The first chip the selector matches.
    public func find(_ selector: ChipSelector) throws(GPIOError) -> ChipInfo {
        guard let chip = chips.first(where: { selector.matches($0.info) }) else {
            throw GPIOError(
                .chipNotFound(selector, present: chips.map(\.info), unreadable: unreadable),
                operation: .findChip)
        }
        return chip.info
    }

    /// Reads each chip device with `read`; devices that fail are listed as unreadable.
    static func scan(
        devicePaths: [String], read: (String) throws(Errno) -> ListedChip
    ) -> ChipListing {
        var listing = ChipListing(chips: [], unreadable: [])
        for path in devicePaths {
            do {
                listing.chips.append(try read(path))
            } catch {
                listing.unreadable.append(UnreadableChip(path: path, error: error))
            }
        }
        return listing
    }

    /// The `gpiochipN` entries of a directory, ordered by N.
    static func chipDevicePaths(in directory: String) throws(GPIOError) -> [String] {
        let names: [String]
        do {
            names = try directoryEntries(directory)
        } catch {
            throw GPIOError(.system(error), operation: .listChips, chip: directory)
        }
        let numbered = names.filter(ChipSelector.isChipName).map {
            (number: Int($0.dropFirst("gpiochip".count)) ?? Int.max, name: $0)
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return numbered.sorted { ($0.number, $0.name) < ($1.number, $1.name) }.map { base + $0.name }
    }
}
