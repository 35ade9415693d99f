@testable import EWeLink
import Foundation
import Testing

/// The store's timestamps, written and read by arithmetic (issue 23), against
/// `Date.ISO8601FormatStyle`, which wrote and read them before: the same text for every date, and
/// every text of the other forms still read.
@Suite("Store timestamps")
struct StoreTimestampTests {
    @Test("The same text as Date.ISO8601FormatStyle for 20,000 dates from 1900 to 2200 (leap days, month ends, fractions truncated), and read back to the second")
    func sameAsFormatStyle() {
        var generator = SystemRandomNumberGenerator()
        var dates: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
                             Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 4_107_542_399.9)]
        for _ in 0..<20_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...7_258_118_400, using: &generator))) }
        for date in dates {
            let text = StoreTimestamp.format(date)
            #expect(text == date.formatted(Date.ISO8601FormatStyle.iso8601), "\(date.timeIntervalSince1970)")
            #expect(StoreTimestamp.parse(text) == Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
        }
    }

    @Test("Other ISO 8601 forms (an offset, fractions) are still read; what is not a date is nil", arguments: [
        ("2026-12-05T05:01:29+01:00", 1_796_443_289.0),
        ("2026-12-05T04:01:29.750Z", 1_796_443_289.75),
    ])
    func otherForms(text: String, seconds: Double) {
        #expect(StoreTimestamp.parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test("Not dates (what the format style refuses too)", arguments: ["", "2026-13-01T00:00:00Z", "2026-12-05 04:01:29Z", "yesterday"])
    func notDates(text: String) {
        #expect(StoreTimestamp.parse(text) == nil)
    }
}
