import EWeLinkLAN
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The floor of the measurement: the simulator's own cost per command, seen by the leanest possible
/// client (a blocking socket on its own thread, request bytes prepared in advance). Our client's
/// overhead is the difference to it.
enum RawClient {
    static func measure(port: Int, deviceID: String, devicekey: String?, count: Int) -> Samples {
        let requests: [[UInt8]] = (0..<count).map { n in
            let params: JSONObject = ["switch": n % 2 == 0 ? "on" : "off"]
            let body = devicekey.map { key in
                try! ZeroconfRequest.encrypted(params, deviceID: deviceID, cipher: DeviceCipher(devicekey: key)).body
            } ?? ZeroconfRequest.plain(params, deviceID: deviceID).body
            let head = "POST /zeroconf/switch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: \(body.count)\r\n\r\n"
            return Array(head.utf8) + body
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result = Samples()
        Thread {
            var samples = Samples()
            for request in requests {
                let start = ContinuousClock.now
                exchange(port: port, request)
                samples.add(ContinuousClock.now - start)
            }
            result = samples
            done.signal()
        }.start()
        done.wait()
        return result
    }

    private static func exchange(port: Int, _ request: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { return }
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, 0) }) > 0 {}
    }
}
