import EWeLink
import EWeLinkLAN
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension WatchCommand {
    /// Follows the hub's `/events` when a hub runs (the same events, printed the same way) and
    /// exits; returns when there is none.
    func followHubIfRunning() {
        guard !noHub, !noCloud, ProcessInfo.processInfo.environment["EWELINK_NO_HUB"] == nil else { return }
        let path = HubAddress.socketPath()
        guard let fd = HubClient.connect(path) else { return }
        guard HubClient.send(fd, HubClient.request("GET", "/events", body: [])) else {
            printError("ewelink: the hub at \(path) closed the connection")
            Glibc.exit(ExitStatus.failure)
        }
        let deadline = duration.map { ContinuousClock.now + $0.duration }
        var raw: [UInt8] = []
        var headDone = false
        var chunks = HubClient.ChunkDecoder()
        var text: [UInt8] = []
        var event = SSEEvent()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            var wait: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { Glibc.exit(0) }
                wait = Int32(max(1, min(Double(Int32.max), (left.inMilliseconds).rounded(.up))))
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else {
                printError("ewelink: the hub at \(path) ended the event stream (stopped?)")
                Glibc.exit(ExitStatus.failure)
            }
            var bytes = Array(buffer[0..<n])
            if !headDone {
                raw += bytes
                guard let (status, headers, start) = HubClient.head(raw) else { continue }
                guard status == 200, headers["transfer-encoding"]?.lowercased().contains("chunked") == true else {
                    printError("ewelink: the hub answered HTTP \(status) to /events")
                    Glibc.exit(ExitStatus.failure)
                }
                headDone = true
                bytes = Array(raw[start...])
                raw = []
            }
            guard let decoded = chunks.feed(bytes) else {
                printError("ewelink: the hub's event stream is malformed")
                Glibc.exit(ExitStatus.failure)
            }
            text += decoded
            while let newline = text.firstIndex(of: 10) {
                let line = String(decoding: text[..<newline], as: UTF8.self)
                text.removeFirst(newline + 1)
                if let data = event.take(line) { show(data) }
            }
            if chunks.finished {
                printError("ewelink: the hub at \(path) ended the event stream (stopped?)")
                Glibc.exit(ExitStatus.failure)
            }
        }
    }

    /// One device event's JSON (`DeviceEvent.json`), as `watch` prints it.
    private func show(_ data: String) {
        if json {
            printLine(data)
            return
        }
        guard let o = try? JSONValue.parse(data).objectValue else { return }
        let time = o["time"]?.stringValue.flatMap { try? Date($0, strategy: DeviceEvent.timeFormat) } ?? Date()
        printLine(Self.line(time: time, device: o["name"]?.stringValue ?? o["device"]?.stringValue ?? "?",
                            source: o["source"]?.stringValue ?? "?", kind: o["kind"]?.stringValue ?? "?",
                            params: o["params"]?.objectValue, seq: o["seq"]?.intValue, detail: o["detail"]?.stringValue))
    }
}

/// Server-Sent Events, line by line: the data of each default (unnamed) event.
struct SSEEvent {
    private var name: String?
    private var data: [String] = []

    /// Takes one line; returns the data of an event this line completes.
    mutating func take(_ line: String) -> String? {
        let line = line.hasSuffix("\r") ? String(line.dropLast()) : line
        if line.isEmpty {
            defer { name = nil; data = [] }
            return name == nil && !data.isEmpty ? data.joined(separator: "\n") : nil
        }
        if line.hasPrefix(":") { return nil }
        let field = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var value = field.count > 1 ? String(field[1]) : ""
        if value.hasPrefix(" ") { value.removeFirst() }
        switch field[0] {
        case "event": name = value
        case "data": data.append(value)
        default: break
        }
        return nil
    }
}
