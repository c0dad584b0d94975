//! H.264 format parameters as RFC 6184 §8 negotiates them: `profile-level-id` (profile by
//! Table 5 of §8.1, level), `packetization-mode` and `level-asymmetry-allowed`. A format is
//! only usable between two parties that agree on the profile and the packetization mode;
//! the level of an answer may be lower than the offer's, never higher, unless the offerer
//! allows level asymmetry (§8.2.2).

use super::attribute::Fmtp;

/// The profile a `profile-level-id` names (profile_idc with the constraint flags that select
/// a profile inside it, RFC 6184 Table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    ConstrainedBaseline,
    Baseline,
    Main,
    Extended,
    High,
    /// Any other profile_idc with its flags (compared as they are).
    Other {
        idc: u8,
        iop: u8,
    },
}

/// A parsed `profile-level-id`: three octets, profile_idc, profile-iop and level_idc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileLevelId {
    pub idc: u8,
    pub iop: u8,
    pub level: u8,
}

/// §8.1: without `profile-level-id`, Baseline profile at level 1.
pub const DEFAULT_PROFILE_LEVEL_ID: ProfileLevelId = ProfileLevelId {
    idc: 0x42,
    iop: 0x00,
    level: 10,
};

/// constraint_set3_flag: with level_idc 11 in the Baseline-family profiles it means level 1b.
const SET3: u8 = 0x10;

impl ProfileLevelId {
    /// Six hex digits, or None (an invalid value makes the format unusable).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let octet = |i: usize| u8::from_str_radix(s.get(i..i + 2)?, 16).ok();
        Some(ProfileLevelId {
            idc: octet(0)?,
            iop: octet(2)?,
            level: octet(4)?,
        })
    }

    pub fn profile(&self) -> Profile {
        let (idc, iop) = (self.idc, self.iop);
        match idc {
            0x42 if iop & 0x4f == 0x40 => Profile::ConstrainedBaseline,
            0x4d if iop & 0x8f == 0x80 => Profile::ConstrainedBaseline,
            0x58 if iop & 0xcf == 0xc0 => Profile::ConstrainedBaseline,
            0x42 if iop & 0x4f == 0x00 => Profile::Baseline,
            0x58 if iop & 0xcf == 0x80 => Profile::Baseline,
            0x4d if iop & 0xaf == 0x00 => Profile::Main,
            0x58 if iop & 0xcf == 0x00 => Profile::Extended,
            0x64 if iop == 0x00 => Profile::High,
            _ => Profile::Other { idc, iop },
        }
    }

    fn is_level_1b(&self) -> bool {
        self.level == 9 || (self.level == 11 && self.iop & SET3 != 0 && self.baseline_family())
    }

    fn baseline_family(&self) -> bool {
        matches!(self.idc, 0x42 | 0x4d | 0x58)
    }

    /// Levels in order, level 1b between 1 and 1.1.
    pub fn level_rank(&self) -> u16 {
        if self.is_level_1b() {
            21
        } else {
            u16::from(self.level) * 2
        }
    }

    /// This profile at the level of `other` (the flag that spells level 1b follows it).
    pub fn with_level_of(self, other: &ProfileLevelId) -> ProfileLevelId {
        let mut iop = self.iop;
        if self.baseline_family() {
            if other.is_level_1b() && other.level == 11 {
                iop |= SET3;
            } else if other.level == 11 {
                iop &= !SET3;
            }
        }
        ProfileLevelId {
            idc: self.idc,
            iop,
            level: other.level,
        }
    }
}

impl std::fmt::Display for ProfileLevelId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02x}{:02x}{:02x}", self.idc, self.iop, self.level)
    }
}

/// The H.264 parameters of one format that decide whether two parties can use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct H264Params {
    pub profile_level_id: ProfileLevelId,
    pub packetization_mode: u8,
    pub level_asymmetry_allowed: bool,
}

impl H264Params {
    /// Reads a format's `a=fmtp` parameters (None: no fmtp line, all defaults). None when a
    /// value is invalid: a `profile-level-id` that is not six hex digits, a
    /// `packetization-mode` other than 0, 1 or 2.
    pub fn from_fmtp(fmtp: Option<&Fmtp>) -> Option<Self> {
        let param = |name: &str| fmtp.and_then(|f| f.param(name));
        let profile_level_id = match param("profile-level-id") {
            Some(v) => ProfileLevelId::parse(v)?,
            None => DEFAULT_PROFILE_LEVEL_ID,
        };
        let packetization_mode = match param("packetization-mode").map(str::trim) {
            None => 0,
            Some(v) => match v.parse::<u8>().ok()? {
                m @ 0..=2 => m,
                _ => return None,
            },
        };
        Some(H264Params {
            profile_level_id,
            packetization_mode,
            level_asymmetry_allowed: param("level-asymmetry-allowed").map(str::trim) == Some("1"),
        })
    }

    /// [`H264Params::from_fmtp`] of a parameter string (`key=value;…`).
    pub fn from_params(params: &str) -> Option<Self> {
        let fmtp = Fmtp {
            format: String::new(),
            params: params.to_owned(),
        };
        Self::from_fmtp(Some(&fmtp))
    }

    /// Whether two formats can carry the same stream: same profile, same packetization mode.
    pub fn compatible(&self, other: &H264Params) -> bool {
        self.packetization_mode == other.packetization_mode
            && self.profile_level_id.profile() == other.profile_level_id.profile()
    }

    /// The parameters of our answer to an offered format, when we can receive with
    /// `ours`: the offer's profile (never ours spelled out), the level we can receive but
    /// no higher than offered unless the offer allows level asymmetry, the mode both share.
    /// None when the profiles or modes differ.
    pub fn answer(offered: &H264Params, ours: &H264Params) -> Option<String> {
        if !offered.compatible(ours) {
            return None;
        }
        let (o, l) = (offered.profile_level_id, ours.profile_level_id);
        let level_from = if offered.level_asymmetry_allowed || l.level_rank() <= o.level_rank() {
            &l
        } else {
            &o
        };
        let plid = o.with_level_of(level_from);
        let mut s = format!(
            "profile-level-id={plid};packetization-mode={}",
            offered.packetization_mode
        );
        if offered.level_asymmetry_allowed {
            s.push_str(";level-asymmetry-allowed=1");
        }
        Some(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(s: &str) -> H264Params {
        H264Params::from_params(s).unwrap()
    }

    #[test]
    fn profiles_by_table_5() {
        let prof = |s| ProfileLevelId::parse(s).unwrap().profile();
        assert_eq!(prof("42e01f"), Profile::ConstrainedBaseline);
        assert_eq!(prof("42c01e"), Profile::ConstrainedBaseline);
        assert_eq!(prof("4d801f"), Profile::ConstrainedBaseline);
        assert_eq!(prof("42001f"), Profile::Baseline);
        assert_eq!(prof("4d001f"), Profile::Main);
        assert_eq!(prof("640028"), Profile::High);
        assert_eq!(ProfileLevelId::parse("42e01"), None);
        assert_eq!(ProfileLevelId::parse("zze01f"), None);
        assert_eq!(ProfileLevelId::parse("+2e01f"), None);
    }

    #[test]
    fn answer_keeps_the_offered_profile_and_never_raises_the_level() {
        let ours = p("profile-level-id=42e01f;packetization-mode=1");
        // Lower level offered: answered at that level, in the offer's spelling.
        let lower = p("profile-level-id=42c00d;packetization-mode=1");
        assert_eq!(
            H264Params::answer(&lower, &ours).unwrap(),
            "profile-level-id=42c00d;packetization-mode=1"
        );
        // Higher level offered: ours (lower) in the answer.
        let higher = p("profile-level-id=42e028;packetization-mode=1");
        assert_eq!(
            H264Params::answer(&higher, &ours).unwrap(),
            "profile-level-id=42e01f;packetization-mode=1"
        );
        // Level asymmetry allowed: we may answer a level above the offer's.
        let asym = p("profile-level-id=42e00a;packetization-mode=1;level-asymmetry-allowed=1");
        assert_eq!(
            H264Params::answer(&asym, &ours).unwrap(),
            "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1"
        );
        // Level 1b (level_idc 11 with constraint_set3) sits below 1.1.
        let l1b = p("profile-level-id=42f00b;packetization-mode=1");
        assert_eq!(
            H264Params::answer(&l1b, &ours).unwrap(),
            "profile-level-id=42f00b;packetization-mode=1"
        );
    }

    #[test]
    fn profile_and_mode_must_match() {
        let ours = p("profile-level-id=42e01f;packetization-mode=1");
        assert_eq!(
            H264Params::answer(&p("profile-level-id=640028;packetization-mode=1"), &ours),
            None
        );
        assert_eq!(
            H264Params::answer(&p("profile-level-id=42e01f"), &ours),
            None
        );
        assert_eq!(
            H264Params::answer(&p("packetization-mode=1"), &ours),
            None,
            "Baseline by default"
        );
        assert_eq!(
            H264Params::from_params("profile-level-id=42e01;packetization-mode=1"),
            None
        );
        assert_eq!(
            H264Params::from_params("profile-level-id=42e01f;packetization-mode=7"),
            None
        );
    }
}
