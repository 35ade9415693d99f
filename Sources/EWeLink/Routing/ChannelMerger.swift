import EWeLinkLAN
import Synchronization

/// Gathers channel changes to one device for a short window and sends them as one `switches`
/// command (a scene switching four outlets costs the device one request, not four). Every caller
/// gets the combined command's result.
final class ChannelMerger: Sendable {
    typealias Waiter = CheckedContinuation<Result<CommandResult, ControlError>, Never>

    private struct Batch {
        /// Outlet → entry; a later change to the same outlet replaces the earlier one.
        var entries: [Int: JSONValue] = [:]
        var waiters: [Waiter] = []
    }

    private let batches = Mutex<[String: Batch]>([:])

    /// Joins the device's open batch, or opens one and sends it when `window` has passed.
    func submit(deviceID: String, params: JSONObject, window: Duration,
                run: @escaping @Sendable (JSONObject) async throws(ControlError) -> CommandResult) async throws(ControlError) -> CommandResult {
        let entries = params["switches"]?.arrayValue ?? []
        let result = await withCheckedContinuation { (waiter: Waiter) in
            let leads = batches.withLock { all -> Bool in
                var batch = all[deviceID] ?? Batch()
                let opened = all[deviceID] == nil
                for e in entries { batch.entries[e["outlet"]?.intValue ?? 0] = e }
                batch.waiters.append(waiter)
                all[deviceID] = batch
                return opened
            }
            guard leads else { return }
            Task {
                try? await Task.sleep(for: window)
                let batch = self.batches.withLock { $0.removeValue(forKey: deviceID) } ?? Batch()
                let combined: JSONObject = ["switches": .array(batch.entries.keys.sorted().map { batch.entries[$0]! })]
                let outcome: Result<CommandResult, ControlError>
                do throws(ControlError) { outcome = .success(try await run(combined)) } catch { outcome = .failure(error) }
                for w in batch.waiters { w.resume(returning: outcome) }
            }
        }
        return try result.get()
    }
}
