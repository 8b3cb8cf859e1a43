import AuxChainCore

extension ControlEvent {
    /// The socket's view of a controller decision; nil for the ones subscribers do not get.
    init?(_ event: ControllerEvent, relayLine: String?) {
        switch event {
        case .volume(let report): self = .volume(report)
        case .power(let status): self = .power(PowerReport(mode: status.mode, state: status.state, triggerHoldingOn: status.isTriggerHoldingOn))
        case .relay(let on): self = .relay(RelayReport(line: relayLine ?? "none", isOn: on))
        case .signal(let present): self = .signal(present: present)
        case .xruns(let total): self = .xrun(total: total)
        case .audioHeld, .audioReleased, .heldAudioDiscarded, .backlogWorkedOff: return nil
        }
    }
}
