import AuxChainCore
import GPIO
import Logging
import ServiceLifecycle

/// The buttons and the 12 V trigger: requests their lines as debounced inputs and hands each
/// press and each trigger change to `handler`, one at a time, in the order they are read.
///
/// A service: `run()` delivers until graceful shutdown, then releases the lines. Debounce is the
/// kernel's with libgpiod 2.x and the GPIO module's own with 1.6, the same seen from here: a
/// bouncing press is one press.
public final class InputWatcher: Service, Sendable {
    public typealias Handler = @Sendable (InputEvent) async -> Void

    private let inputs: [WatchedInput]
    /// The trigger's level when it was requested, delivered first so the controller starts from it.
    private let initialTrigger: (event: InputEvent, input: WatchedInput)?
    private let handler: Handler
    private let logger: Logger

    /// Requests the configured lines: active-low, bias and debounce as the config says, both edges.
    ///
    /// - Throws: `DaemonError.configuration` naming the config key and the line when a line cannot
    ///   be requested or read.
    public init(settings: InputSettings, chip: any GPIOChip, logger: Logger, handler: @escaping Handler) throws(DaemonError) {
        var inputs: [WatchedInput] = []
        var initialTrigger: (event: InputEvent, input: WatchedInput)?
        if let trigger = settings.trigger {
            let input = try WatchedInput(role: .trigger, key: "inputs.trigger.line", settings: trigger, chip: chip)
            inputs.append(input)
            do {
                initialTrigger = (try input.line.read().isActive ? .triggerHigh : .triggerLow, input)
            } catch {
                throw DaemonError.configuration("\(error) (inputs.trigger.line = \(trigger.line))")
            }
        }
        for (index, button) in settings.buttons.enumerated() {
            inputs.append(
                try WatchedInput(
                    role: .button(button.action), key: "inputs.buttons[\(index)].line", settings: button.input, chip: chip))
        }
        self.inputs = inputs
        self.initialTrigger = initialTrigger
        self.handler = handler
        self.logger = logger
    }

    public func run() async throws {
        defer { for input in inputs { input.line.release() } }
        if let initialTrigger {
            logger.info("12 V trigger \(initialTrigger.event == .triggerHigh ? "on" : "off") at start", metadata: initialTrigger.input.metadata)
            await handler(initialTrigger.event)
        }
        let (events, delivery) = AsyncStream.makeStream(of: InputEvent.self)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for input in self.inputs {
                    group.addTask { await self.forward(input, to: delivery) }
                }
                for await event in events {
                    await self.handler(event)
                }
                group.cancelAll()
            }
        }
    }

    /// Turns one line's edges into events until the line ends or the service is cancelled.
    private func forward(_ input: WatchedInput, to delivery: AsyncStream<InputEvent>.Continuation) async {
        for await edge in input.line.events {
            switch (input.role, edge.edge) {
            case (.trigger, .rising):
                logger.info("12 V trigger on", metadata: input.metadata)
                delivery.yield(.triggerHigh)
            case (.trigger, .falling):
                logger.info("12 V trigger off", metadata: input.metadata)
                delivery.yield(.triggerLow)
            case (.button(let action), .rising):
                logger.info("button pressed: \(action.rawValue)", metadata: input.metadata)
                delivery.yield(.buttonPressed(action))
            case (.button(let action), .falling):
                logger.debug("button released: \(action.rawValue)", metadata: input.metadata)
            }
        }
        guard !Task.isCancelled else { return }
        // The events end early only when the device failed; a read says why.
        let reason: String
        do {
            _ = try input.line.read()
            reason = "its events ended"
        } catch {
            reason = "\(error)"
        }
        logger.error(
            "GPIO input \(input.key) = \(input.reference) stopped: \(reason); the daemon carries on without it, restart it once the GPIO chip is back",
            metadata: input.metadata)
        // A trigger that can no longer be read must not hold the speaker on for good.
        if case .trigger = input.role { delivery.yield(.triggerLow) }
    }
}

/// A requested input line and what it means.
private struct WatchedInput: Sendable {
    enum Role: Sendable {
        case trigger
        case button(ButtonAction)
    }

    let role: Role
    let key: String
    let reference: LineReference
    let line: any InputLine

    init(role: Role, key: String, settings: InputLineSettings, chip: any GPIOChip) throws(DaemonError) {
        self.role = role
        self.key = key
        reference = settings.line
        let consumer: String
        switch role {
        case .trigger: consumer = "auxchain trigger"
        case .button(let action): consumer = "auxchain button \(action.rawValue)"
        }
        do {
            line = try chip.requestInput(
                GPIOSetup.selector(settings.line),
                InputLineConfig(
                    consumer: consumer, activeLow: settings.activeLow, bias: Self.bias(settings.bias), edges: .both,
                    debounce: settings.debounce))
        } catch {
            throw GPIOSetup.failure(error, setting: "\(key) = \(settings.line)")
        }
    }

    var metadata: Logger.Metadata { ["gpio.line": "\(line.offset)"] }

    private static func bias(_ bias: LineBias) -> Bias {
        switch bias {
        case .pullUp: .pullUp
        case .pullDown: .pullDown
        case .disabled: .disabled
        case .asIs: .asIs
        }
    }
}
