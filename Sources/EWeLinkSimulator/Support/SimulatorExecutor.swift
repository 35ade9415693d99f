import Foundation
import Synchronization

/// Threads of the simulator's own on which its servers answer.
///
/// A real device answers whatever its client's machine is doing. A simulated one that shares the
/// host process's cooperative pool (two threads on a two-core machine) does not: a caller that
/// blocks those threads while it waits for the device, a blocking exchange, a subprocess or a hub
/// talking to it, would starve the device into a timeout it would never cause. The device servers
/// and the mock cloud run their tasks here instead (`Task(executorPreference:)`; child tasks of
/// their task groups inherit it), so they answer on time whatever the process's pool is doing.
public final class SimulatorExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor every server of this process shares. Four threads: more than the two cores of
    /// the machines here, so a fleet under a burst of commands keeps the parallelism it had on
    /// the cooperative pool (which had three busy threads under the test suite's load); the
    /// threads sleep while nothing arrives.
    public static let shared = SimulatorExecutor(threads: 4)

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [UnownedJob] = []
    private var head = 0

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { self.work() }
            thread.name = "ewelink-sim-\(index)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count || head > 1024 {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
