import EWeLink
import EWeLinkHubClient
import Synchronization

extension Hub {
    /// What is let in: requests being answered (all devices), and per device the operations not
    /// yet finished.
    struct Admission: Sendable {
        var answering = 0
        var perDevice: [String: Int] = [:]
    }

    /// `operation` (a command or a status read for the device `query` names) within the hub's
    /// bounds: refused at once (503) when `maxCommandsInFlight` requests are being answered or
    /// `maxCommandsPerDevice` operations for this device have not finished; else answered within
    /// `commandTimeout` (504 when it passes, or when the caller is cancelled), its wait for the
    /// device's turn included. An operation still running at its answer is cancelled and keeps its
    /// device's slot until it ends: a device that never answers holds at most its own share.
    func admitted<T: Sendable>(device query: String,
                               _ operation: @escaping @Sendable () async -> T) async throws(HubError) -> T {
        // By stored id, so a name and an id share one count; an id not stored counts by itself.
        let key = ((try? lan.directory.storedID(query)) ?? nil) ?? query.lowercased()
        let limits = (total: options.maxCommandsInFlight, device: options.maxCommandsPerDevice)
        let refusal = admission.withLock { a -> String? in
            if a.answering >= limits.total {
                return "the hub is busy: \(limits.total) requests in flight, try again"
            }
            if a.perDevice[key, default: 0] >= limits.device {
                return "\(query): \(limits.device) requests for this device have not finished (it may not answer), try again"
            }
            a.answering += 1
            a.perDevice[key, default: 0] += 1
            return nil
        }
        if let refusal { throw HubError(HubFailure(message: refusal, exitCode: ExitStatus.failure), status: 503) }
        defer { admission.withLock { $0.answering -= 1 } }
        let work = Task {
            defer {
                self.admission.withLock { a in
                    let left = a.perDevice[key, default: 1] - 1
                    a.perDevice[key] = left > 0 ? left : nil
                }
            }
            return await operation()
        }
        guard let value = await Self.bounded(options.commandTimeout, work) else {
            throw HubError(HubFailure(message: "\(query): no answer within \(Self.seconds(options.commandTimeout)) s",
                                      exitCode: ExitStatus.unreachable), status: 504)
        }
        return value
    }

    /// `work`'s value, or nil when `limit` passes first or the caller is cancelled (then `work` is
    /// cancelled). Never waits for `work` past that: a request already on the wire ends only with
    /// its own LAN wait, and the answer must not wait with it.
    static func bounded<T: Sendable>(_ limit: Duration, _ work: Task<T, Never>) async -> T? {
        let answer = FirstAnswer<T?>()
        let timer = Task {
            try? await Task.sleep(for: limit)
            answer.give(nil)
        }
        Task { answer.give(await work.value) }
        let value = await withTaskCancellationHandler { await answer.value } onCancel: { answer.give(nil) }
        timer.cancel()
        if value == nil { work.cancel() }
        return value
    }

    /// `d` in seconds as people write it: `30`, `2.5`.
    static func seconds(_ d: Duration) -> String {
        let s = d.inSeconds
        return s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }
}

/// The first of several racers' answers, awaited once; later answers are dropped.
final class FirstAnswer<Value: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Value, Never>?)
        case answered(Value)
        case taken
    }

    private let state = Mutex<State>(.waiting(nil))

    func give(_ value: Value) {
        let waiter = state.withLock { s -> CheckedContinuation<Value, Never>? in
            switch s {
            case .waiting(let c?):
                s = .taken
                return c
            case .waiting(nil):
                s = .answered(value)
                return nil
            case .answered, .taken:
                return nil
            }
        }
        waiter?.resume(returning: value)
    }

    var value: Value {
        get async {
            await withCheckedContinuation { (c: CheckedContinuation<Value, Never>) in
                let ready = state.withLock { s -> Value? in
                    if case .answered(let v) = s {
                        s = .taken
                        return v
                    }
                    s = .waiting(c)
                    return nil
                }
                if let ready { c.resume(returning: ready) }
            }
        }
    }
}
