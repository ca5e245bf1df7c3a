import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The two date forms S3 speaks: RFC 1123 in headers, ISO 8601 with milliseconds in XML.
///
/// Written with the C library because `DateFormatter` is slow and locale-bound, and these run on every request.
package enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    package static func rfc1123(_ date: Date) -> String {
        let parts = utc(date)
        return String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d GMT",
            weekdays[Int(parts.tm_wday)],
            parts.tm_mday,
            months[Int(parts.tm_mon)],
            parts.tm_year + 1900,
            parts.tm_hour,
            parts.tm_min,
            parts.tm_sec
        )
    }

    /// `2009-10-12T17:50:30.000Z`
    package static func iso8601(_ date: Date) -> String {
        let parts = utc(date)
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.tm_year + 1900,
            parts.tm_mon + 1,
            parts.tm_mday,
            parts.tm_hour,
            parts.tm_min,
            parts.tm_sec,
            milliseconds
        )
    }

    /// Parses the three date forms HTTP allows in conditional headers (RFC 9110 §5.6.7); nil when none fits.
    package static func parse(_ text: String) -> Date? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        let day: Substring
        let month: Substring
        let year: Substring
        let time: Substring
        switch words.count {
        case 6 where words[5] == "GMT":
            // Sun, 06 Nov 1994 08:49:37 GMT
            (day, month, year, time) = (words[1], words[2], words[3], words[4])
        case 4 where words[3] == "GMT":
            // Sunday, 06-Nov-94 08:49:37 GMT
            let date = words[1].split(separator: "-")
            guard date.count == 3 else { return nil }
            (day, month, year, time) = (date[0], date[1], date[2], words[2])
        case 5:
            // Sun Nov  6 08:49:37 1994
            (day, month, year, time) = (words[2], words[1], words[4], words[3])
        default:
            return nil
        }
        let clock = time.split(separator: ":")
        guard
            let dayNumber = Int32(day), let monthIndex = months.firstIndex(of: String(month)),
            var yearNumber = Int32(year), clock.count == 3,
            let hour = Int32(clock[0]), let minute = Int32(clock[1]), let second = Int32(clock[2])
        else { return nil }
        if year.count == 2 { yearNumber += yearNumber < 70 ? 2000 : 1900 }
        var parts = tm()
        parts.tm_year = yearNumber - 1900
        parts.tm_mon = Int32(monthIndex)
        parts.tm_mday = dayNumber
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// Parses `2009-10-12T17:50:30.000Z` (fractional seconds optional), as S3's listings write dates.
    package static func parseISO8601(_ text: String) -> Date? {
        let fields = text.split(whereSeparator: { "-T:Z".contains($0) })
        guard text.hasSuffix("Z"), fields.count == 6, let seconds = Double(fields[5]),
            let year = Int32(fields[0]), let month = Int32(fields[1]), let day = Int32(fields[2]),
            let hour = Int32(fields[3]), let minute = Int32(fields[4])
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = Int32(seconds.rounded(.down))
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)) + seconds.truncatingRemainder(dividingBy: 1))
    }

    private static func utc(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }
}
