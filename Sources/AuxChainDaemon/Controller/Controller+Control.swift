import AuxChainCore
import AuxChainDSP

/// The control socket's commands, answered from the controller's own state.
extension Controller: ControlHandler {
    public func handle(_ command: ControlCommand, client: ClientInfo) async -> ControlReply {
        start()
        defer { controls.wakeup.signal() }
        switch command {
        case .status:
            return .status(status)
        case .levels:
            return .levels(levels)
        case .mute:
            volume.mute()
            applyVolume()
            return .volume(volumeReport)
        case .unmute:
            volume.unmute()
            applyVolume()
            return .volume(volumeReport)
        case .volume(let change):
            switch change {
            case .percent(let percent): volume.setPercent(percent)
            case .gainDB(let gainDB): volume.setGainDB(gainDB)
            case .relativeDB(let deltaDB):
                // From silence a relative step starts at the bottom of the curve, not at −∞.
                let base = volume.targetDB.isFinite ? volume.targetDB : -volume.curve.rangeDB
                volume.setGainDB(base + deltaDB)
            case .step(.up): volume.stepUp()
            case .step(.down): volume.stepDown()
            }
            applyVolume()
            logger.info("volume \(volumeReport.percent.rounded()) % by uid \(client.credentials.userID)")
            return .volume(volumeReport)
        case .power(let mode):
            handle(.setMode(mode))
            return .power(powerReport)
        }
    }

    var volumeReport: VolumeReport {
        VolumeReport(
            percent: (volume.targetPercent * 10).rounded() / 10,
            gainDB: volume.targetDB.isFinite ? (volume.targetDB * 100).rounded() / 100 : nil,
            capDB: volume.capDB, muted: volume.isMuted)
    }

    var powerReport: PowerReport {
        let status = sequencer.status
        return PowerReport(mode: status.mode, state: status.state, triggerHoldingOn: status.isTriggerHoldingOn)
    }

    var levels: LevelsReport {
        LevelsReport(
            channels: (0..<identity.channels).map { channel in
                let level = controls.level(channel: channel)
                return ChannelLevel(peakDBFS: Double(level.peakDBFS), rmsDBFS: Double(level.rmsDBFS))
            },
            signal: controls.signalPresent)
    }

    public var status: DaemonStatus {
        let running = controls.isRunning
        return DaemonStatus(
            volume: volumeReport, power: powerReport,
            relay: identity.relayLine.map { RelayReport(line: $0, isOn: isRelayOn) },
            levels: levels, xruns: controls.xruns,
            latencyFrames: controls.latencyFrames + controls.preRollBacklogFrames,
            sampleRate: identity.rate,
            devices: [
                DeviceReport(role: .capture, name: identity.capture, isOpen: running),
                DeviceReport(role: .playback, name: identity.playback, isOpen: running),
            ],
            uptimeSeconds: (now.seconds * 10).rounded() / 10,
            clockDriftPPM: controls.clockDriftPPM.map { ($0 * 10).rounded() / 10 },
            driftCorrections: controls.driftCorrections)
    }
}
