#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The store's timestamps (`lastSeen`, `lastProbe`, `lastCacheMiss`): ISO 8601 in UTC to the
/// second, `2026-12-05T04:01:29Z`, as `Date.ISO8601FormatStyle`'s default writes them. Written
/// and read here by arithmetic: building that format style costs a one-shot command about 1.7 M
/// instructions (its calendar), more than reading the rest of the store (issue 23). Text of any
/// other ISO 8601 form (an edited file) is read by the format style, so nothing readable is lost.
enum StoreTimestamp {
    /// `date` as `yyyy-MM-ddTHH:mm:ssZ` (the second truncated, as the format style does).
    static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let inDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(inDay / 3600, 2) + ":" + pad(inDay % 3600 / 60, 2) + ":" + pad(inDay % 60, 2) + "Z"
        return out
    }

    /// The date in `text`: the store's own form by arithmetic, any other ISO 8601 form by
    /// `Date.ISO8601FormatStyle`; nil when neither reads it.
    static func parse(_ text: String) -> Date? {
        if let fast = parseStoreForm(Array(text.utf8)) { return fast }
        return try? Date(text, strategy: Date.ISO8601FormatStyle.iso8601)
    }

    private static func parseStoreForm(_ b: [UInt8]) -> Date? {
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                value = value * 10 + Int64(b[i] - 0x30)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), let h = number(11..<13),
              let mi = number(14..<16), let s = number(17..<19),
              (1...12).contains(m), (1...31).contains(d), h < 24, mi < 60, s < 60 else { return nil }
        let days = self.days(fromCivil: y, m, d)
        // A day past the month's end (Feb 30) is not a date: the format style refuses it too.
        guard civil(fromDays: days) == (y, m, d) else { return nil }
        return Date(timeIntervalSince1970: Double(days * 86_400 + h * 3600 + mi * 60 + s))
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01 (`civil_from_days`).
    private static func civil(fromDays count: Int64) -> (Int64, Int64, Int64) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}
