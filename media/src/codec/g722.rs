//! G.722 at 64 kbit/s (ITU-T G.722 sub-band ADPCM, 16 kHz audio, one byte per two samples).
//!
//! Implemented here from the ITU-T G.722 algorithm description (blocks QMF, SUBTRA, QUANTL,
//! INVQAL, LOGSCL, SCALEL, UPPOL1/2, UPZERO, FILTEP, FILTEZ, PREDIC) because the one crate on
//! crates.io (`ezk-g722`) pulls a tokio-based media framework into this sans-IO crate.
//! Only mode 1 (64 kbit/s, 6 low-band bits) is implemented: it is what SIP/H.323 endpoints
//! negotiate. All state is fixed-size; encoding and decoding never allocate.

/// Transmit/receive QMF coefficients (G.722 Table 11, one half of the symmetric 24 taps).
const QMF: [i32; 12] = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];
/// QUANTL decision levels (Table 14, scaled).
const Q6: [i32; 31] = [
    0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940,
    1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0,
];
/// Low-band codes for negative / positive differences, by quantiser interval.
const ILN: [i32; 31] = [
    0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
    10, 9, 8, 7, 6, 5, 4,
];
const ILP: [i32; 31] = [
    0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39,
    38, 37, 36, 35, 34, 33, 32,
];
/// Low-band log scale factor adaptation (Table 15).
const WL: [i32; 8] = [-60, -30, 58, 172, 334, 538, 1198, 3042];
const RL42: [usize; 16] = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
/// Inverse log base-2 table for SCALEL/SCALEH.
const ILB: [i32; 32] = [
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
    2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
/// 4-bit inverse quantiser (prediction loop).
const QM4: [i32; 16] = [
    0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584,
    1200, 0,
];
/// 6-bit inverse quantiser (decoder output, 64 kbit/s).
const QM6: [i32; 64] = [
    -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232,
    -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776,
    -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280,
    11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776,
    2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
];
/// High band: 2-bit inverse quantiser, codes, log scale adaptation.
const QM2: [i32; 4] = [-7408, -1616, 7408, 1616];
const IHN: [i32; 3] = [0, 1, 0];
const IHP: [i32; 3] = [0, 3, 2];
const WH: [i32; 3] = [0, -214, 798];
const RH2: [usize; 4] = [2, 1, 2, 1];

#[inline]
fn sat16(x: i32) -> i32 {
    x.clamp(i32::from(i16::MIN), i32::from(i16::MAX))
}

/// `table[i]` for indices that are in range by construction (masked codes); 0 otherwise.
#[inline]
fn at<T: Copy + Default>(table: &[T], i: usize) -> T {
    table.get(i).copied().unwrap_or_default()
}

/// Adaptive predictor state of one sub-band (Block 4).
#[derive(Debug, Clone, Copy, Default)]
struct Band {
    s: i32,
    sp: i32,
    sz: i32,
    r: [i32; 3],
    a: [i32; 3],
    ap: [i32; 3],
    p: [i32; 3],
    d: [i32; 7],
    b: [i32; 7],
    bp: [i32; 7],
    nb: i32,
    det: i32,
}

impl Band {
    fn new(det: i32) -> Self {
        Self {
            det,
            ..Self::default()
        }
    }

    /// LOGSCL/LOGSCH + SCALEL/SCALEH: adapt the log scale factor and derive `det`.
    fn scale(&mut self, weight: i32, nb_max: i32, shift_base: i32) {
        let nb = ((self.nb * 127) >> 7) + weight;
        self.nb = nb.clamp(0, nb_max);
        let idx = ((self.nb >> 6) & 31) as usize;
        let shift = shift_base - (self.nb >> 11);
        let v = at(&ILB, idx);
        let wd3 = if shift < 0 { v << -shift } else { v >> shift };
        self.det = wd3 << 2;
    }

    /// Block 4: reconstruct, adapt the pole and zero predictors, predict the next sample.
    // Constant indices into fixed-size state arrays, never derived from input.
    #[allow(clippy::indexing_slicing)]
    fn block4(&mut self, d: i32) {
        // RECONS, PARREC
        self.d[0] = d;
        self.r[0] = sat16(self.s + d);
        self.p[0] = sat16(self.sz + d);
        // UPPOL2
        let sg0 = self.p[0] >> 15;
        let sg1 = self.p[1] >> 15;
        let sg2 = self.p[2] >> 15;
        let wd1 = sat16(self.a[1] << 2);
        let wd2 = if sg0 == sg1 { -wd1 } else { wd1 }.min(32767);
        let mut wd3 = if sg0 == sg2 { 128 } else { -128 };
        wd3 += wd2 >> 7;
        wd3 += (self.a[2] * 32512) >> 15;
        self.ap[2] = wd3.clamp(-12288, 12288);
        // UPPOL1
        let wd1 = if sg0 == sg1 { 192 } else { -192 };
        let wd2 = (self.a[1] * 32640) >> 15;
        let lim = sat16(15360 - self.ap[2]);
        self.ap[1] = sat16(wd1 + wd2).clamp(-lim, lim);
        // UPZERO
        let step = if d == 0 { 0 } else { 128 };
        let sgd = d >> 15;
        for i in 1..7 {
            let wd2 = if (self.d[i] >> 15) == sgd {
                step
            } else {
                -step
            };
            let wd3 = (self.b[i] * 32640) >> 15;
            self.bp[i] = sat16(wd2 + wd3);
        }
        // DELAYA
        for i in (1..7).rev() {
            self.d[i] = self.d[i - 1];
            self.b[i] = self.bp[i];
        }
        for i in (1..3).rev() {
            self.r[i] = self.r[i - 1];
            self.p[i] = self.p[i - 1];
            self.a[i] = self.ap[i];
        }
        // FILTEP
        let wd1 = (self.a[1] * sat16(self.r[1] + self.r[1])) >> 15;
        let wd2 = (self.a[2] * sat16(self.r[2] + self.r[2])) >> 15;
        self.sp = sat16(wd1 + wd2);
        // FILTEZ
        let mut sz = 0;
        for i in (1..7).rev() {
            sz += (self.b[i] * sat16(self.d[i] + self.d[i])) >> 15;
        }
        self.sz = sat16(sz);
        // PREDIC
        self.s = sat16(self.sp + self.sz);
    }

    /// Low band: INVQAL, LOGSCL, SCALEL, Block 4 for a 6-bit code.
    fn update_low(&mut self, ilow: i32) {
        let ril = ((ilow >> 2) & 0x0f) as usize;
        let dlow = (self.det * at(&QM4, ril)) >> 15;
        self.scale(at(&WL, at(&RL42, ril)), 18432, 8);
        self.block4(dlow);
    }

    /// High band: INVQAH, LOGSCH, SCALEH, Block 4 for a 2-bit code; returns `dhigh`.
    fn update_high(&mut self, ihigh: i32) -> i32 {
        let ih = (ihigh & 3) as usize;
        let dhigh = (self.det * at(&QM2, ih)) >> 15;
        self.scale(at(&WH, at(&RH2, ih)), 22528, 10);
        self.block4(dhigh);
        dhigh
    }
}

/// Shift the 24-sample QMF delay line by two and insert a pair.
#[inline]
fn qmf_push(x: &mut [i32; 24], a: i32, b: i32) {
    x.copy_within(2.., 0);
    x[22] = a;
    x[23] = b;
}

/// Even/odd QMF sums over the delay line.
#[inline]
fn qmf_sums(x: &[i32; 24]) -> (i32, i32) {
    let mut even_taps = 0;
    let mut odd_taps = 0;
    for (i, pair) in x.chunks_exact(2).enumerate() {
        if let [a, b] = pair {
            even_taps += a * at(&QMF, i);
            odd_taps += b * at(&QMF, 11 - i);
        }
    }
    (even_taps, odd_taps)
}

/// G.722 64 kbit/s encoder state.
#[derive(Debug, Clone)]
pub struct G722Encoder {
    x: [i32; 24],
    low: Band,
    high: Band,
}

impl Default for G722Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G722Encoder {
    /// A fresh encoder (initial state per G.722 §6.2).
    pub fn new() -> Self {
        Self {
            x: [0; 24],
            low: Band::new(32),
            high: Band::new(8),
        }
    }

    /// Encodes 16 kHz samples, two per output byte. A trailing odd sample is ignored. Writes at
    /// most `out.len()` bytes and returns the number written.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        let mut n = 0;
        for (pair, o) in pcm.chunks_exact(2).zip(out.iter_mut()) {
            if let [a, b] = pair {
                *o = self.encode_pair(i32::from(*a), i32::from(*b));
                n += 1;
            }
        }
        n
    }

    fn encode_pair(&mut self, s0: i32, s1: i32) -> u8 {
        qmf_push(&mut self.x, s0, s1);
        let (sumodd, sumeven) = qmf_sums(&self.x);
        let xlow = (sumeven + sumodd) >> 14;
        let xhigh = (sumeven - sumodd) >> 14;

        // SUBTRA, QUANTL
        let el = sat16(xlow - self.low.s);
        let wd = if el >= 0 { el } else { -(el + 1) };
        let mut i = 1;
        while i < 30 && wd >= (at(&Q6, i) * self.low.det) >> 12 {
            i += 1;
        }
        let ilow = if el < 0 { at(&ILN, i) } else { at(&ILP, i) };
        self.low.update_low(ilow);

        // SUBTRA, QUANTH
        let eh = sat16(xhigh - self.high.s);
        let wd = if eh >= 0 { eh } else { -(eh + 1) };
        let mih = if wd >= (564 * self.high.det) >> 12 {
            2
        } else {
            1
        };
        let ihigh = if eh < 0 { at(&IHN, mih) } else { at(&IHP, mih) };
        self.high.update_high(ihigh);

        ((ihigh << 6) | ilow) as u8
    }
}

/// G.722 64 kbit/s decoder state.
#[derive(Debug, Clone)]
pub struct G722Decoder {
    x: [i32; 24],
    low: Band,
    high: Band,
}

impl Default for G722Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G722Decoder {
    /// A fresh decoder.
    pub fn new() -> Self {
        Self {
            x: [0; 24],
            low: Band::new(32),
            high: Band::new(8),
        }
    }

    /// Decodes bytes into 16 kHz samples (two per byte). Stops when `out` is full; returns the
    /// number of samples written.
    pub fn decode(&mut self, codes: &[u8], out: &mut [i16]) -> usize {
        let mut n = 0;
        for (code, pair) in codes.iter().zip(out.chunks_exact_mut(2)) {
            let (a, b) = self.decode_byte(*code);
            if let [o0, o1] = pair {
                *o0 = a;
                *o1 = b;
                n += 2;
            }
        }
        n
    }

    fn decode_byte(&mut self, code: u8) -> (i16, i16) {
        let ilow = i32::from(code & 0x3f);
        let ihigh = i32::from(code >> 6);
        // INVQBL, RECONS, LIMIT (low band output uses the 6-bit quantiser)
        let wd2 = (self.low.det * at(&QM6, ilow as usize)) >> 15;
        let rlow = (self.low.s + wd2).clamp(-16384, 16383);
        self.low.update_low(ilow);
        // INVQAH, RECONS, LIMIT
        let s_high = self.high.s;
        let dhigh = self.high.update_high(ihigh);
        let rhigh = (dhigh + s_high).clamp(-16384, 16383);
        // Receive QMF
        qmf_push(&mut self.x, rlow + rhigh, rlow - rhigh);
        let (xout2, xout1) = qmf_sums(&self.x);
        (sat16(xout1 >> 11) as i16, sat16(xout2 >> 11) as i16)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn tone(freq: f64, amp: f64, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / 16000.0).sin()) as i16)
            .collect()
    }

    /// SNR of `out` against `input` delayed by the best lag in 0..64 (the QMF pair delays 22).
    fn snr_db(input: &[i16], out: &[i16]) -> (f64, usize) {
        let skip = 800;
        (0..64)
            .map(|lag| {
                let (mut sig, mut err) = (0.0, 0.0);
                for i in skip..input.len() - 64 {
                    let x = f64::from(input[i]);
                    let y = f64::from(out[i + lag]);
                    sig += x * x;
                    err += (x - y) * (x - y);
                }
                (10.0 * (sig / err.max(1e-9)).log10(), lag)
            })
            .fold((f64::MIN, 0), |a, b| if b.0 > a.0 { b } else { a })
    }

    #[test]
    fn tone_round_trip_snr() {
        for (freq, amp) in [
            (440.0, 8000.0),
            (1000.0, 16000.0),
            (3000.0, 4000.0),
            (6000.0, 3000.0),
        ] {
            let input = tone(freq, amp, 16000);
            let mut enc = G722Encoder::new();
            let mut dec = G722Decoder::new();
            let mut bytes = vec![0u8; input.len() / 2];
            assert_eq!(enc.encode(&input, &mut bytes), 8000);
            let mut out = vec![0i16; input.len()];
            assert_eq!(dec.decode(&bytes, &mut out), 16000);
            let (snr, lag) = snr_db(&input, &out);
            if freq == 440.0 {
                assert_eq!(lag, 22, "QMF analysis + synthesis delay");
            }
            eprintln!("{freq} Hz: SNR {snr:.1} dB");
            assert!(snr > 20.0, "{freq} Hz: SNR {snr:.1} dB");
        }
    }

    #[test]
    fn silence() {
        let mut enc = G722Encoder::new();
        let mut bytes = [0u8; 160];
        enc.encode(&[0i16; 320], &mut bytes);
        // Silence settles on the smallest low-band steps; output stays near zero.
        let mut dec = G722Decoder::new();
        let mut out = [0i16; 320];
        dec.decode(&bytes, &mut out);
        assert!(out.iter().all(|s| s.abs() <= 4), "{out:?}");
        // A decoder fed the idle pattern 0xFF (what many endpoints send) stays quiet too.
        let mut dec = G722Decoder::new();
        dec.decode(&[0xff; 160], &mut out);
        assert!(out.iter().all(|s| s.abs() <= 4), "{out:?}");
    }

    #[test]
    fn odd_and_short_buffers() {
        let mut enc = G722Encoder::new();
        let mut out = [0u8; 1];
        assert_eq!(enc.encode(&[1, 2, 3, 4, 5], &mut out), 1);
        let mut dec = G722Decoder::new();
        let mut pcm = [0i16; 3];
        assert_eq!(dec.decode(&[0x12, 0x34], &mut pcm), 2);
    }
}
