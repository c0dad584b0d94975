//! Audio codec adapters: G.711, G.722, Opus, resampling, and the transcoding traits.

pub mod g711;
