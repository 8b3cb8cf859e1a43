@testable import GPIO
import Glibc
import Testing

/// A Pi 5 after the 2024 renumbering: the header controller is gpiochip0 and labelled pinctrl-rp1.
private let pi5Listing = ChipListing(
    chips: [
        ("gpiochip0", "pinctrl-rp1", 54), ("gpiochip10", "gpio-brcmstb@107d508500", 32),
        ("gpiochip11", "gpio-brcmstb@107d508520", 4),
    ].map { name, label, lineCount in
        ListedChip(info: ChipInfo(path: "/dev/" + name, name: name, label: label, lineCount: lineCount), lines: [])
    },
    unreadable: [])

/// A folder that looks like /dev, removed when the test ends.
private final class FakeDeviceDirectory {
    let path: String

    init(entries: [String]) throws {
        var template = Array("/tmp/auxchain-gpio-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Errno(rawValue: errno) }
        path = String(cString: made)
        for entry in entries {
            let file = fopen(path + "/" + entry, "w")
            fclose(file)
        }
    }

    func link(_ name: String, to target: String) {
        symlink(target, path + "/" + name)
    }

    deinit {
        for name in (try? directoryEntries(path)) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }
}

@Suite struct ChipSelectorTests {
    @Test func theConfigTextIsAPathANameOrALabel() {
        #expect(ChipSelector("/dev/gpiochip0") == .path("/dev/gpiochip0"))
        #expect(ChipSelector("gpiochip4") == .name("gpiochip4"))
        #expect(ChipSelector("pinctrl-rp1") == .label("pinctrl-rp1"))
        #expect(ChipSelector("gpiochip") == .label("gpiochip"))
        #expect(ChipSelector("gpiochip4a") == .label("gpiochip4a"))
    }

    @Test func aChipIsFoundByPathNameOrLabel() throws {
        #expect(try pi5Listing.find(.label("pinctrl-rp1")).path == "/dev/gpiochip0")
        #expect(try pi5Listing.find(.name("gpiochip10")).label == "gpio-brcmstb@107d508500")
        #expect(try pi5Listing.find(.path("/dev/gpiochip11")).lineCount == 4)
    }

    @Test func aMissingChipIsReportedWithTheChipsPresentAndTheFix() {
        let error = #expect(throws: GPIOError.self) { try pi5Listing.find(.label("pinctrl-bcm2711")) }

        #expect(
            error?.description
                == "GPIO chip 'pinctrl-bcm2711' not found; chips present: gpiochip0 [pinctrl-rp1] (54 lines), "
                + "gpiochip10 [gpio-brcmstb@107d508500] (32 lines), gpiochip11 [gpio-brcmstb@107d508520] (4 lines); "
                + "set [gpio] chip to one of them (a path, name or label)")
    }

    @Test func aChipThatCouldNotBeOpenedForPermissionsSaysHowToGetAccess() {
        let listing = ChipListing(
            chips: [], unreadable: [UnreadableChip(path: "/dev/gpiochip0", error: .permissionDenied)])

        let error = #expect(throws: GPIOError.self) { try listing.find(.label("pinctrl-rp1")) }

        let text = error?.description ?? ""
        #expect(text.hasPrefix("GPIO chip 'pinctrl-rp1' not found; could not open /dev/gpiochip0: Permission denied"))
        #expect(text.contains("group 'gpio'"))
        #expect(text.contains("udev rule"))
        #expect(!text.contains("one of them"))
    }
}

@Suite struct ChipDirectoryTests {
    @Test func chipDevicesAreListedInNumberOrderAndOtherEntriesIgnored() throws {
        let dev = try FakeDeviceDirectory(
            entries: ["gpiochip10", "ttyS0", "gpiochip2", "gpiochip0", "gpiochipX", "gpiomem"])

        let paths = try ChipListing.chipDevicePaths(in: dev.path)

        #expect(paths == ["gpiochip0", "gpiochip2", "gpiochip10"].map { dev.path + "/" + $0 })
    }

    @Test func aScanKeepsTheChipsItCouldReadAndNamesTheOnesItCouldNot() {
        let listing = ChipListing.scan(devicePaths: ["/dev/gpiochip0", "/dev/gpiochip1"]) { path throws(Errno) in
            guard path == "/dev/gpiochip1" else { throw Errno.permissionDenied }
            return ListedChip(
                info: ChipInfo(path: path, name: "gpiochip1", label: "pinctrl-bcm2711", lineCount: 58), lines: [])
        }

        #expect(listing.chips.map(\.info.label) == ["pinctrl-bcm2711"])
        #expect(listing.unreadable == [UnreadableChip(path: "/dev/gpiochip0", error: .permissionDenied)])
    }

    @Test func aMissingDirectoryIsAnErrorNamingIt() {
        let error = #expect(throws: GPIOError.self) {
            try ChipListing.chipDevicePaths(in: "/nonexistent/dev")
        }

        #expect(error?.reason == .system(.noSuchFileOrDirectory))
        #expect(error?.description.contains("/nonexistent/dev") == true)
    }
}

/// These go through the real libgpiod; this machine has no GPIO chip, so they cover the failures.
@Suite struct CharacterDeviceChipTests {
    @Test func aLabelNoChipHasIsNotFoundWhenThereAreNoChips() throws {
        let dev = try FakeDeviceDirectory(entries: [])

        let error = #expect(throws: GPIOError.self) {
            try CharacterDeviceChip.open(.label("pinctrl-rp1"), devDirectory: dev.path)
        }

        #expect(error?.reason == .chipNotFound(.label("pinctrl-rp1"), present: [], unreadable: []))
        #expect(error?.description.contains("--simulate") == true)
    }

    @Test func aPathThatDoesNotExistIsNotFound() throws {
        let dev = try FakeDeviceDirectory(entries: [])

        let error = #expect(throws: GPIOError.self) {
            try CharacterDeviceChip.open(.path(dev.path + "/gpiochip7"), devDirectory: dev.path)
        }

        #expect(error?.reason == .chipNotFound(.path(dev.path + "/gpiochip7"), present: [], unreadable: []))
    }

    @Test func aDeviceThatIsNotAGPIOChipIsListedAsUnreadable() throws {
        let dev = try FakeDeviceDirectory(entries: [])
        dev.link("gpiochip0", to: "/dev/null")

        let listing = try CharacterDeviceChip.list(devDirectory: dev.path)

        #expect(listing.chips.isEmpty)
        #expect(listing.unreadable.map(\.path) == [dev.path + "/gpiochip0"])
    }

    @Test func openingSomethingElseSaysItIsNotAGPIOChip() {
        let error = #expect(throws: GPIOError.self) { try CharacterDeviceChip(path: "/dev/null") }

        #expect(error?.reason == .notAGPIOChip(path: "/dev/null"))
    }

    @Test func theLibraryVersionMatchesWhatItCanDebounce() {
        let major = GPIOLibrary.version.split(separator: ".").first
        #expect(major == "1" || major == "2")
        #expect(GPIOLibrary.debouncesInKernel == (major == "2"))
    }
}
