import AsyncHTTPClient
import EWeLinkLAN
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches a firmware image the way the ESP8266 firmware does: plain HTTP, in Range
/// requests, expecting `206 Partial Content`. Only loopback URLs are fetched.
struct FirmwareDownloader: Sendable {
    /// The largest image the device accepts (two OTA slots in 1 MB of flash).
    static let maxImageSize = 508 * 1024
    var chunkSize = 16 * 1024
    var requestTimeout: TimeAmount = .seconds(10)
    var totalTimeout: Duration = .seconds(60)

    enum Outcome: Sendable {
        case success([UInt8])
        case failure(LANErrorCode)
    }

    func download(_ urlText: String) async -> Outcome {
        guard let url = URL(string: urlText), url.scheme == "http", let host = url.host,
              Self.isLoopback(host) else { return .failure(.firmwareUnreachable) }
        let started = ContinuousClock.now
        var image: [UInt8] = []
        var total: Int? = nil
        while total == nil || image.count < total! {
            if ContinuousClock.now - started > totalTimeout { return .failure(.otaDownloadTimeout) }
            var request = HTTPClientRequest(url: urlText)
            let end = image.count + chunkSize - 1
            request.headers.add(name: "Range", value: "bytes=\(image.count)-\(end)")
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: requestTimeout)
                guard response.status == .partialContent,
                      let range = response.headers.first(name: "Content-Range").flatMap(Self.parseContentRange),
                      range.start == image.count else {
                    return .failure(.firmwareUnreachable)
                }
                if range.total > Self.maxImageSize { return .failure(.firmwareTooLarge) }
                total = range.total
                var body = try await response.body.collect(upTo: chunkSize + 1)
                guard let bytes = body.readBytes(length: body.readableBytes), !bytes.isEmpty || range.total == 0 else {
                    return .failure(.firmwareUnreachable)
                }
                image += bytes
                if range.total == 0 { break }
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                return .failure(.otaDownloadTimeout)
            } catch {
                return .failure(.firmwareUnreachable)
            }
        }
        return .success(image)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// `bytes 0-99/1234` (and the non-standard `bytes=0-99/1234` some servers send).
    static func parseContentRange(_ value: String) -> (start: Int, end: Int, total: Int)? {
        var v = value.trimmingCharacters(in: .whitespaces)
        guard v.hasPrefix("bytes") else { return nil }
        v.removeFirst(5)
        v = v.trimmingCharacters(in: CharacterSet(charactersIn: " ="))
        let parts = v.split(separator: "/")
        guard parts.count == 2, let total = Int(parts[1]) else { return nil }
        let span = parts[0].split(separator: "-")
        guard span.count == 2, let start = Int(span[0]), let end = Int(span[1]) else { return nil }
        return (start, end, total)
    }
}
