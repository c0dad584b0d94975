//! Writing a body back out, always with CRLF line ends and in RFC 8866 §5 order.

use std::fmt::{self, Write as _};

use super::media::MediaDescription;
use super::session::SessionDescription;
use super::timing::write_zone_adjustments;

struct Lines<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl Lines<'_, '_> {
    fn line(&mut self, kind: char, value: impl fmt::Display) -> fmt::Result {
        write!(self.0, "{kind}={value}\r\n")
    }

    fn opt(&mut self, kind: char, value: Option<impl fmt::Display>) -> fmt::Result {
        value.map_or(Ok(()), |v| self.line(kind, v))
    }

    fn all<T: fmt::Display>(&mut self, kind: char, values: &[T]) -> fmt::Result {
        values.iter().try_for_each(|v| self.line(kind, v))
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Lines(f);
        out.line('v', self.version)?;
        out.line('o', &self.origin)?;
        out.line('s', &self.session_name)?;
        out.opt('i', self.info.as_ref())?;
        out.opt('u', self.uri.as_ref())?;
        out.all('e', &self.emails)?;
        out.all('p', &self.phones)?;
        out.opt('c', self.connection.as_ref())?;
        out.all('b', &self.bandwidths)?;
        for timing in &self.times {
            out.line('t', format_args!("{} {}", timing.start, timing.stop))?;
            out.all('r', &timing.repeats)?;
        }
        if !self.time_zones.is_empty() {
            out.0.write_str("z=")?;
            write_zone_adjustments(out.0, &self.time_zones)?;
            out.0.write_str("\r\n")?;
        }
        out.opt('k', self.key.as_ref().map(|k| k.expose_secret()))?;
        out.all('a', &self.attributes)?;
        self.media.iter().try_for_each(|m| m.fmt(out.0))
    }
}

/// The `m=` section, from its `m=` line to its last `a=` line.
impl fmt::Display for MediaDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.media, self.port)?;
        if let Some(n) = self.port_count {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", self.proto)?;
        for format in &self.formats {
            f.write_char(' ')?;
            f.write_str(format)?;
        }
        f.write_str("\r\n")?;
        let mut out = Lines(f);
        out.opt('i', self.info.as_ref())?;
        out.all('c', &self.connections)?;
        out.all('b', &self.bandwidths)?;
        out.opt('k', self.key.as_ref().map(|k| k.expose_secret()))?;
        out.all('a', &self.attributes)
    }
}
