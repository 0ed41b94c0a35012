//! Calendar dates of a release's signature timestamp, in the formats the package
//! changelogs and man pages want (UTC, no time zone database needed).

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC calendar date and time of day, from Unix seconds.
pub(super) struct Date {
    pub(super) year: i64,
    month: u32,
    day: u32,
    weekday: usize,
    seconds_of_day: u64,
}

impl Date {
    /// Howard Hinnant's `civil_from_days`.
    pub(super) fn from_unix(seconds: u64) -> Date {
        let days = (seconds / 86_400) as i64;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year,
            month,
            day,
            // 1970-01-01 was a Thursday.
            weekday: ((days + 4) % 7) as usize,
            seconds_of_day: seconds % 86_400,
        }
    }

    pub(super) fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `Fri, 21 Nov 2025 04:40:00 +0000`, as Debian changelogs want.
    pub(super) fn rfc2822(&self) -> String {
        let s = self.seconds_of_day;
        format!(
            "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
            DAYS[self.weekday],
            self.day,
            MONTHS[self.month as usize - 1],
            self.year,
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
    /// `Fri Nov 21 2025`, as RPM changelogs want.
    pub(super) fn rpm_changelog(&self) -> String {
        format!(
            "{} {} {:02} {}",
            DAYS[self.weekday],
            MONTHS[self.month as usize - 1],
            self.day,
            self.year
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rendered_in_utc() {
        let date = Date::from_unix(1_763_700_000);
        assert_eq!(date.iso(), "2025-11-21");
        assert_eq!(date.rfc2822(), "Fri, 21 Nov 2025 04:40:00 +0000");
        assert_eq!(
            Date::from_unix(951_782_400).rfc2822(),
            "Tue, 29 Feb 2000 00:00:00 +0000"
        );
        assert_eq!(Date::from_unix(0).iso(), "1970-01-01");
        assert_eq!(date.rpm_changelog(), "Fri Nov 21 2025");
    }
}
