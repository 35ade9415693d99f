/// Work raced against a deadline: for waits that must end on time whatever the work does (a
/// device that never answers, a report that never comes).
enum TimeLimit {
    /// `body`'s result, or `fallback` once `deadline` has passed; whichever ends first, the other
    /// is cancelled.
    static func run<T: Sendable>(until deadline: ContinuousClock.Instant, otherwise fallback: T,
                                 _ body: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return fallback
            }
            let first = await group.next() ?? fallback
            group.cancelAll()
            return first
        }
    }
}
