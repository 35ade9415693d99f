import EWeLinkLAN
import Synchronization

/// Gathers channel changes to one device for a short window and sends them as one `switches`
/// command (a scene switching four outlets costs the device one request, not four). Every caller
/// gets the combined command's result.
///
/// The first caller of a window leads: it waits the window out and sends the batch itself (no task
/// of its own), then hands the result to the callers who joined.
final class ChannelMerger: Sendable {
    private enum Role: Sendable {
        case lead
        case joined(Result<CommandResult, ControlError>)
    }

    private typealias Waiter = CheckedContinuation<Role, Never>

    private struct Batch {
        /// Outlet → entry; a later change to the same outlet replaces the earlier one.
        var entries: [Int: JSONValue] = [:]
        var waiters: [Waiter] = []
    }

    private let batches = Mutex<[String: Batch]>([:])

    /// Joins the device's open batch, or opens one and sends it when `window` has passed.
    func submit(deviceID: String, params: JSONObject, window: Duration,
                run: @Sendable (JSONObject) async throws(ControlError) -> CommandResult) async throws(ControlError) -> CommandResult {
        let entries = params["switches"]?.arrayValue ?? []
        let role = await withCheckedContinuation { (waiter: Waiter) in
            let leads = batches.withLock { all -> Bool in
                let opened = all[deviceID] == nil
                var batch = all[deviceID] ?? Batch()
                for e in entries { batch.entries[e["outlet"]?.intValue ?? 0] = e }
                if !opened { batch.waiters.append(waiter) }
                all[deviceID] = batch
                return opened
            }
            if leads { waiter.resume(returning: .lead) }
        }
        if case .joined(let outcome) = role { return try outcome.get() }
        try? await Task.sleep(for: window)
        let batch = batches.withLock { $0.removeValue(forKey: deviceID) } ?? Batch()
        let combined: JSONObject = ["switches": .array(batch.entries.keys.sorted().map { batch.entries[$0]! })]
        let outcome: Result<CommandResult, ControlError>
        do throws(ControlError) { outcome = .success(try await run(combined)) } catch { outcome = .failure(error) }
        for w in batch.waiters { w.resume(returning: .joined(outcome)) }
        return try outcome.get()
    }
}
