import EWeLinkCloud
import EWeLinkLAN
import Synchronization

/// One command raced over the LAN and the cloud. The LAN goes first; the cloud joins when the LAN
/// fails to reach the device, or when the LAN is slower than `hedgeAfter`. The command is absolute
/// (a toggle was resolved before), so both legs mean the same thing: the first acknowledgement
/// wins, and the other leg's late answer changes nothing.
struct HedgedCommand: Sendable {
    let router: Router
    let params: JSONObject
    let device: StoredDevice
    let endpoint: String?
    let started: ContinuousClock.Instant
    let timeout: Duration
    /// The command's number among the device's commands (see `LANLegLedger.stillCurrent`).
    let generation: Int

    private enum Outcome: Sendable {
        case lan(Result<CommandResult, ControlError>)
        case cloud(Result<CommandResult, CloudError>)
        case hedgeDue
        /// The LAN request's turn came (earlier commands to the device are done).
        case onWire
    }

    func run(hedgeAfter: Duration?) async throws(ControlError) -> CommandResult {
        let (outcomes, sink) = AsyncStream.makeStream(of: Outcome.self)
        let lanLeg = self
        // Whether the LAN leg outlived its command (the cloud answered first): it then counts as
        // a slow leg of the device until it ends.
        let leg = LegState()
        router.ledger.begin(device.id)
        Task {
            defer {
                let abandoned = leg.flags.withLock { l -> Bool in l.done = true; return l.abandoned }
                if abandoned { lanLeg.router.ledger.overtaken(lanLeg.device.id, ended: true) }
                lanLeg.router.ledger.end(lanLeg.device.id)
            }
            do throws(ControlError) {
                let result = try await lanLeg.router.lan.send(lanLeg.params, to: lanLeg.device, endpoint: lanLeg.endpoint,
                                                             started: lanLeg.started, timeout: lanLeg.timeout,
                                                             relookup: false, onWire: { sink.yield(.onWire) },
                                                             proceed: {
                    // Once the cloud has answered, this copy only matters while nothing newer was acknowledged.
                    !leg.flags.withLock { $0.abandoned } || lanLeg.router.ledger.stillCurrent(lanLeg.device.id, lanLeg.generation)
                })
                sink.yield(.lan(.success(result)))
            } catch {
                sink.yield(.lan(.failure(error)))
            }
        }
        // The hedge clock runs from the moment the request goes out, not while it waits its turn
        // behind this process's earlier commands to the same device (that LAN is busy, not slow).
        // A device whose earlier LAN legs are still stuck is slow: its clock runs from now.
        var timer: Task<Void, Never>? = nil
        defer { timer?.cancel() }
        func startTimer() {
            guard let delay = hedgeAfter, timer == nil else { return }
            timer = Task {
                try? await Task.sleep(for: delay)
                if !Task.isCancelled { sink.yield(.hedgeDue) }
            }
        }
        if router.ledger.isSlow(device.id) { startTimer() }
        var cloudStarted = false
        var lanError: ControlError? = nil
        var cloudError: CloudError? = nil
        func startCloud() {
            cloudStarted = true
            let leg = self
            Task {
                do throws(CloudError) {
                    sink.yield(.cloud(.success(try await leg.router.viaCloud(leg.params, device: leg.device, started: leg.started))))
                } catch {
                    sink.yield(.cloud(.failure(error)))
                }
            }
        }
        for await outcome in outcomes {
            switch outcome {
            case .lan(.success(let result)):
                return result
            case .lan(.failure(let error)):
                lanError = error
                guard Router.shouldFallBack(error) else { throw error }
                if case .lan(let e) = error, e.isUnreachable, !device.hostConfigured {
                    // The device may have moved: look for it while the cloud carries this command.
                    let lan = router.lan, id = device.id
                    Task { await lan.refreshAddress(id) }
                }
                if let cloudError { throw .cloud(cloudError, lan: error.description) }
                if !cloudStarted { startCloud() }
            case .onWire:
                startTimer()
            case .hedgeDue:
                if !cloudStarted && lanError == nil { startCloud() }
            case .cloud(.success(let result)):
                // The LAN had not answered in time: that counts against it.
                if lanError == nil {
                    router.lan.noteFailure(device.id)
                    let marked = leg.flags.withLock { l -> Bool in
                        guard !l.done else { return false }
                        l.abandoned = true
                        return true
                    }
                    if marked { router.ledger.overtaken(device.id, ended: false) }
                }
                return result
            case .cloud(.failure(let error)):
                cloudError = error
                if let lanError { throw .cloud(error, lan: lanError.description) }
                // Otherwise the LAN may still answer.
            }
        }
        throw .lan(.transport(host: device.host ?? "", port: device.port ?? LANProtocol.port, reason: "the command was abandoned"))
    }
}

/// Whether a hedged command's LAN leg has ended, and whether the cloud answered before it did.
final class LegState: Sendable {
    let flags = Mutex((done: false, abandoned: false))
}
