/// What a GPIO chip says about itself.
public struct ChipInfo: Hashable, Sendable, CustomStringConvertible {
    /// The character device, e.g. /dev/gpiochip0.
    public var path: String
    /// The kernel's name, e.g. gpiochip0. Numbers change between kernels; labels do not.
    public var name: String
    /// The driver's label, e.g. pinctrl-bcm2711 (Pi 4) or pinctrl-rp1 (Pi 5).
    public var label: String
    public var lineCount: Int

    public init(path: String, name: String, label: String, lineCount: Int) {
        self.path = path
        self.name = name
        self.label = label
        self.lineCount = lineCount
    }

    /// How people see a chip in messages: "gpiochip0 [pinctrl-bcm2711]".
    public var description: String { "\(name) [\(label)]" }
}

/// What a chip says about one of its lines.
public struct LineInfo: Hashable, Sendable {
    public var offset: LineOffset
    /// The board's name for the line, e.g. GPIO17; nil when the driver gives none.
    public var name: String?
    /// Who holds the line; nil when nobody does or the holder gave no name.
    public var consumer: String?
    /// Whether someone (a program or the kernel) holds the line.
    public var isUsed: Bool
    public var direction: LineDirection
    public var isActiveLow: Bool
    public var bias: Bias

    public init(
        offset: LineOffset, name: String?, consumer: String?, isUsed: Bool, direction: LineDirection,
        isActiveLow: Bool, bias: Bias
    ) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.isUsed = isUsed
        self.direction = direction
        self.isActiveLow = isActiveLow
        self.bias = bias
    }
}
