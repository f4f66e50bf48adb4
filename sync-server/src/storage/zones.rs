//! A store's clock: the IANA time zone its days and hours are counted in,
//! whichever process counts them (a server in another zone, a report run
//! with another `TZ`). A store gets one when it is added: the one asked
//! for, or head office's.

use chrono::TimeZone;
use chrono_tz::Tz;

use crate::storage::{StoreError, StoreResult};

/// The server process's time zone by its IANA name: `TZ`, else what
/// `/etc/localtime` links to, else UTC. Only a store added without one
/// (or one from before stores had a zone) takes it, once.
pub fn process_zone() -> String {
    let from_env = std::env::var("TZ").ok().map(|tz| tz.trim_start_matches(':').to_string());
    let from_link = || {
        let target = std::fs::read_link("/etc/localtime").ok()?;
        let target = target.to_str()?;
        target.split_once("zoneinfo/").map(|(_, zone)| zone.to_string())
    };
    from_env
        .filter(|tz| tz.parse::<Tz>().is_ok())
        .or_else(from_link)
        .filter(|tz| tz.parse::<Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_string())
}

/// `name` as a time zone a store may have (`Europe/Paris`), or why not.
pub fn check_zone(name: &str) -> StoreResult<String> {
    let name = name.trim();
    name.parse::<Tz>().map(|zone| zone.name().to_string()).map_err(|_| {
        StoreError::BadRequest(format!("time zone `{name}` is not one of the IANA database (say, Europe/Paris)"))
    })
}

/// `ms` (milliseconds since the epoch) as `format` (strftime) in `zone`;
/// an unknown zone counts as UTC.
pub fn local_text(ms: i64, zone: &str, format: &str) -> Option<String> {
    let zone: Tz = zone.parse().unwrap_or(Tz::UTC);
    Some(zone.timestamp_millis_opt(ms).single()?.format(format).to_string())
}

/// Today's date in `zone`.
pub fn today_in(zone: &str) -> chrono::NaiveDate {
    let zone: Tz = zone.parse().unwrap_or(Tz::UTC);
    chrono::Utc::now().with_timezone(&zone).date_naive()
}

/// The zone of the store of sale `s`, as SQL.
pub const SALE_ZONE: &str = "(SELECT z.time_zone FROM stores z WHERE z.id = s.store_id)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_read_in_the_zone_asked_for_whatever_the_process_zone() {
        // 2026-12-07 23:10 UTC: already the 8th in Paris, 12:10 the 8th in Auckland.
        let ms = 1_796_685_000_000;
        assert_eq!(local_text(ms, "UTC", "%Y-%m-%d %H:%M").unwrap(), "2026-12-07 23:10");
        assert_eq!(local_text(ms, "Europe/Paris", "%Y-%m-%d %H:00").unwrap(), "2026-12-08 00:00");
        assert_eq!(local_text(ms, "Pacific/Auckland", "%Y-%m-%d %H:%M").unwrap(), "2026-12-08 12:10");
        assert!(check_zone("Europe/Paris").is_ok());
        assert!(matches!(check_zone("Mars/Olympus"), Err(StoreError::BadRequest(_))));
    }
}
