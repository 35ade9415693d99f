@testable import EWeLinkLAN
import Foundation
import Testing

/// The per-device queue (one request in flight per device): a waiter whose caller stops waiting
/// leaves at once (issue 20, point 3: a hub request past its limit must free its place), and no
/// turn is lost or given twice.
@Suite("DeviceQueue")
struct DeviceQueueTests {
    @Test("A cancelled waiter leaves the queue at once; the others keep their order")
    func cancelledWaiterLeaves() async throws {
        let queue = DeviceQueue()
        #expect(await queue.acquire())
        let leaving = Task { await queue.acquire() }
        let staying = Task { await queue.acquire() }
        while queue.waiting < 2 { try await Task.sleep(for: .milliseconds(5)) }
        leaving.cancel()
        // Answered while the queue is still held: it did not wait for its turn.
        #expect(await leaving.value == false)
        #expect(queue.waiting == 1)
        queue.release()
        #expect(await staying.value == true, "the next waiter got the turn")
        queue.release()
        #expect(await queue.acquire(), "free again: no turn was lost")
        queue.release()
    }

    @Test("Cancelled before it waits, or after its turn came: nothing is lost or held twice")
    func cancellationEdges() async throws {
        let queue = DeviceQueue()
        #expect(await queue.acquire())
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.acquire()
        }
        #expect(await early.value == false)
        #expect(queue.waiting == 0)
        let late = Task { await queue.acquire() }
        while queue.waiting < 1 { try await Task.sleep(for: .milliseconds(5)) }
        queue.release()
        #expect(await late.value == true)
        late.cancel()  // its turn came already: it holds the queue until it releases
        let next = Task { await queue.acquire() }
        while queue.waiting < 1 { try await Task.sleep(for: .milliseconds(5)) }
        queue.release()
        #expect(await next.value == true)
        queue.release()
    }
}
