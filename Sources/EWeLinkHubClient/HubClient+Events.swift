import EWeLink
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension HubClient {
    /// How following the hub's events ended.
    package enum EventsEnd: Sendable, Equatable {
        /// No hub here: follow the devices in this process.
        case noHub
        /// The deadline passed.
        case deadline
        /// The hub closed the connection before the request was sent.
        case closedBeforeRequest
        /// The hub ended the stream (it stopped).
        case ended
        /// The hub answered, but not with an event stream.
        case notAStream(status: Int)
        case malformed
    }

    /// Follows `target` (`/events`) on the hub at `path` until `deadline` (nil: for ever) or until
    /// the stream ends, handing `event` the JSON text of each event as it comes.
    package static func followEvents(_ target: String = "/events", path: String = HubAddress.socketPath(),
                                     until deadline: ContinuousClock.Instant?, unsafe: (String) -> Void = { _ in },
                                     event: (String) -> Void) -> EventsEnd {
        guard let fd = connect(path, unsafe: unsafe) else { return .noHub }
        defer { close(fd) }
        guard send(fd, request("GET", target, body: [])) else { return .closedBeforeRequest }
        var reader = HubEventReader()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            var wait: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return .deadline }
                wait = Int32(max(1, min(Double(Int32.max), (left.inMilliseconds).rounded(.up))))
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { return .ended }
            do throws(HubEventReader.Failure) {
                for data in try reader.feed(Array(buffer[0..<n])) { event(data) }
            } catch {
                switch error {
                case .notAStream(let status): return .notAStream(status: status)
                case .malformed: return .malformed
                }
            }
            if reader.ended { return .ended }
        }
    }
}
