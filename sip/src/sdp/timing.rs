//! `t=`, `r=` and `z=` (RFC 8866 §5.9 to §5.11). Gateways only ever send `t=0 0`, but
//! scheduled-conference peers send the rest and it must survive a round trip.

use std::fmt;

use super::connection::parse_decimal;
use super::limits::MAX_TIME_ITEMS;

/// Unit suffix of a typed time (`d`, `h`, `m`, `s`); kept so that `1d` prints as `1d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TimeUnit {
    Days,
    Hours,
    Minutes,
    Seconds,
}

impl TimeUnit {
    fn seconds(self) -> i64 {
        match self {
            Self::Days => 86_400,
            Self::Hours => 3_600,
            Self::Minutes => 60,
            Self::Seconds => 1,
        }
    }

    fn letter(self) -> char {
        match self {
            Self::Days => 'd',
            Self::Hours => 'h',
            Self::Minutes => 'm',
            Self::Seconds => 's',
        }
    }
}

/// RFC 8866 `typed-time`: a number with an optional unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TypedTime {
    pub value: i64,
    pub unit: Option<TimeUnit>,
}

impl TypedTime {
    /// The duration in seconds (saturating; the wire allows absurd values).
    pub fn as_seconds(&self) -> i64 {
        self.value
            .saturating_mul(self.unit.map_or(1, TimeUnit::seconds))
    }

    fn parse(text: &str, signed: bool) -> Result<Self, &'static str> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) if signed => (true, rest),
            _ => (false, text),
        };
        let (digits, unit) = match rest.as_bytes().last() {
            Some(b'd') => (rest.get(..rest.len() - 1), Some(TimeUnit::Days)),
            Some(b'h') => (rest.get(..rest.len() - 1), Some(TimeUnit::Hours)),
            Some(b'm') => (rest.get(..rest.len() - 1), Some(TimeUnit::Minutes)),
            Some(b's') => (rest.get(..rest.len() - 1), Some(TimeUnit::Seconds)),
            _ => (Some(rest), None),
        };
        let value: i64 = digits.and_then(parse_decimal).ok_or("bad typed time")?;
        Ok(Self {
            value: if negative { -value } else { value },
            unit,
        })
    }
}

impl fmt::Display for TypedTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)?;
        if let Some(unit) = self.unit {
            write!(f, "{}", unit.letter())?;
        }
        Ok(())
    }
}

/// `r=<repeat interval> <active duration> <offsets from start-time>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Repeat {
    pub interval: TypedTime,
    pub duration: TypedTime,
    pub offsets: Vec<TypedTime>,
}

impl Repeat {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        let mut parts = value.split(' ');
        let interval = TypedTime::parse(parts.next().unwrap_or_default(), false)?;
        let duration = TypedTime::parse(parts.next().ok_or("missing active duration")?, false)?;
        let mut offsets = Vec::new();
        for part in parts {
            if offsets.len() >= MAX_TIME_ITEMS {
                return Err("too many offsets");
            }
            offsets.push(TypedTime::parse(part, false)?);
        }
        if offsets.is_empty() {
            return Err("missing offset");
        }
        Ok(Self {
            interval,
            duration,
            offsets,
        })
    }
}

impl fmt::Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.interval, self.duration)?;
        for offset in &self.offsets {
            write!(f, " {offset}")?;
        }
        Ok(())
    }
}

/// One time description: `t=<start> <stop>` (NTP seconds, 0 = unbounded) and its `r=` lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Timing {
    pub start: u64,
    pub stop: u64,
    pub repeats: Vec<Repeat>,
}

impl Timing {
    /// `t=0 0`: a permanent session, which is what every SIP call uses.
    pub fn permanent() -> Self {
        Self {
            start: 0,
            stop: 0,
            repeats: Vec::new(),
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        let (start, stop) = value.split_once(' ').ok_or("expected <start> <stop>")?;
        Ok(Self {
            start: parse_decimal(start).ok_or("bad start time")?,
            stop: parse_decimal(stop).ok_or("bad stop time")?,
            repeats: Vec::new(),
        })
    }
}

/// One `<adjustment time> <offset>` pair of `z=`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ZoneAdjustment {
    pub time: u64,
    pub offset: TypedTime,
}

pub(crate) fn parse_zone_adjustments(value: &str) -> Result<Vec<ZoneAdjustment>, &'static str> {
    let mut out = Vec::new();
    let mut parts = value.split(' ');
    while let Some(time) = parts.next() {
        if out.len() >= MAX_TIME_ITEMS {
            return Err("too many adjustments");
        }
        let time = parse_decimal(time).ok_or("bad adjustment time")?;
        let offset = TypedTime::parse(parts.next().ok_or("adjustment without offset")?, true)?;
        out.push(ZoneAdjustment { time, offset });
    }
    Ok(out)
}

pub(crate) fn write_zone_adjustments(
    f: &mut fmt::Formatter<'_>,
    zones: &[ZoneAdjustment],
) -> fmt::Result {
    for (i, z) in zones.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{} {}", z.time, z.offset)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn repeat_units() {
        let r = Repeat::parse("7d 1h 0 25h").unwrap();
        assert_eq!(r.interval.as_seconds(), 604_800);
        assert_eq!(r.offsets[1].as_seconds(), 90_000);
        assert_eq!(r.to_string(), "7d 1h 0 25h");
        assert!(Repeat::parse("7d 1h").is_err());
        assert!(Repeat::parse("-7d 1h 0").is_err());
        assert!(Repeat::parse("7x 1h 0").is_err());
    }

    #[test]
    fn zones_signed() {
        let z = parse_zone_adjustments("2882844526 -1h 2898848070 0").unwrap();
        assert_eq!(z[0].offset.as_seconds(), -3600);
        assert!(parse_zone_adjustments("2882844526").is_err());
    }
}
