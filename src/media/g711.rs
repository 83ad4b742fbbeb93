//! G.711 mu-law (PCMU) and A-law (PCMA) sample conversion, bit-exact with the ITU-T G.191
//! reference implementation (`g711.c` in the ITU Software Tool Library).
//!
//! This file owns the per-sample companding and the [`Law`] helper for whole buffers. It does
//! not know about RTP, WAV or SDP. Hand-written on purpose: it is about 60 lines, and the
//! obvious crate (`audio-codec`) shipped a non-standard mu-law encoder in its 0.3 series, so we
//! would have to test any crate bit-exactly anyway (the tests below do exactly that).
//!
//! Negative inputs are handled the G.191 way: the magnitude of a negative sample is its one's
//! complement (`!x`), which puts the quantiser's symmetry point at -0.5. For A-law this is the
//! same as the classic Sun `g711.c`; for mu-law Sun's `linear2ulaw` (bias 0x84, clip 32635) uses
//! the two's-complement magnitude instead and so differs from G.191 on some negative inputs that
//! fall exactly on a decision value. The test `sun_ulaw_differs_only_on_negative_ties` pins down
//! exactly which.

/// Which G.711 law a stream uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Law {
    /// mu-law, RTP static payload type 0 ("PCMU"), WAV format tag 7.
    Mu,
    /// A-law, RTP static payload type 8 ("PCMA"), WAV format tag 6.
    A,
}

impl Law {
    /// The RTP static payload type (RFC 3551).
    pub fn static_payload_type(self) -> u8 {
        match self {
            Law::Mu => 0,
            Law::A => 8,
        }
    }

    /// The SDP encoding name.
    pub fn encoding_name(self) -> &'static str {
        match self {
            Law::Mu => "PCMU",
            Law::A => "PCMA",
        }
    }

    /// The WAV format tag.
    pub fn wav_format_tag(self) -> u16 {
        match self {
            Law::Mu => 7,
            Law::A => 6,
        }
    }

    /// The code for digital silence (linear 0).
    pub fn silence(self) -> u8 {
        self.encode_sample(0)
    }

    /// Encode one linear 16-bit sample.
    pub fn encode_sample(self, x: i16) -> u8 {
        match self {
            Law::Mu => linear_to_ulaw(x),
            Law::A => linear_to_alaw(x),
        }
    }

    /// Decode one code to a linear 16-bit sample.
    pub fn decode_sample(self, code: u8) -> i16 {
        match self {
            Law::Mu => ulaw_to_linear(code),
            Law::A => alaw_to_linear(code),
        }
    }

    /// Encode a buffer of linear samples.
    pub fn encode(self, samples: &[i16]) -> Vec<u8> {
        samples.iter().map(|&x| self.encode_sample(x)).collect()
    }

    /// Decode a buffer of codes.
    pub fn decode(self, codes: &[u8]) -> Vec<i16> {
        codes.iter().map(|&c| self.decode_sample(c)).collect()
    }
}

/// Magnitude as G.191 sees it: the value for x >= 0, the one's complement for x < 0.
fn magnitude(x: i16) -> i32 {
    if x < 0 {
        i32::from(!x)
    } else {
        i32::from(x)
    }
}

/// Linear 16-bit to mu-law (G.191 `ulaw_compress`).
pub fn linear_to_ulaw(x: i16) -> u8 {
    // 14-bit magnitude plus the mu-law bias (33 in 14-bit units = 0x84 in 16-bit units).
    let biased = ((magnitude(x) >> 2) + 33).min(0x1FFF);
    // Segment = position of the leading one above bit 5 (biased >= 33, so seg >= 1).
    let seg = (32 - (biased >> 6).leading_zeros()) as i32 + 1;
    let mantissa = (biased >> seg) & 0x0F;
    let code = (((8 - seg) << 4) | (0x0F - mantissa)) as u8;
    if x >= 0 {
        code | 0x80
    } else {
        code
    }
}

/// mu-law to linear 16-bit (G.191 `ulaw_expand`; identical to Sun's `ulaw2linear`).
pub fn ulaw_to_linear(code: u8) -> i16 {
    let c = !code;
    let exponent = i32::from((c >> 4) & 0x07);
    let mantissa = i32::from(c & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    // At most 32124, so the narrowing is lossless.
    (if c & 0x80 != 0 { -magnitude } else { magnitude }) as i16
}

/// Linear 16-bit to A-law (G.191 `alaw_compress`).
pub fn linear_to_alaw(x: i16) -> u8 {
    let mut ix = magnitude(x) >> 4; // 12-bit magnitude, 0..=2047
    if ix > 15 {
        let mut exp = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            exp += 1;
        }
        ix = (ix - 16) + (exp << 4);
    }
    let code = if x >= 0 { ix | 0x80 } else { ix } as u8;
    code ^ 0x55
}

/// A-law to linear 16-bit (G.191 `alaw_expand`; identical to Sun's `alaw2linear`).
pub fn alaw_to_linear(code: u8) -> i16 {
    let a = code ^ 0x55;
    let exp = i32::from((a & 0x70) >> 4);
    let mut mant = i32::from(a & 0x0F);
    if exp > 0 {
        mant += 16;
    }
    mant = (mant << 4) + 8;
    if exp > 1 {
        mant <<= exp - 1;
    }
    // At most 32256, so the narrowing is lossless.
    (if code & 0x80 != 0 { mant } else { -mant }) as i16
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reconstruction levels and decision intervals built by walking the G.711 segment
    /// definition (Tables 1a/2a): 8 segments of 16 equal intervals, each segment's interval
    /// width double the previous one; the decoder outputs the interval midpoint.
    /// Returns (code, lower edge, width, value) for the positive half, in 16-bit units.
    fn ulaw_intervals() -> Vec<(u8, i32, i32, i32)> {
        // 14-bit domain: segment s has width 2^(s+1); the first interval is [-1, 1) so its
        // midpoint is 0. Scale by 4 to 16-bit.
        let mut out = Vec::new();
        let mut lower = -1;
        for seg in 0..8u8 {
            let width = 2 << seg;
            for m in 0..16u8 {
                let value = lower + width / 2;
                out.push((!(seg << 4 | m) | 0x80, lower * 4, width * 4, value * 4));
                lower += width;
            }
        }
        out
    }

    fn alaw_intervals() -> Vec<(u8, i32, i32, i32)> {
        // 16-bit domain: segments 0 and 1 have width 16, then it doubles per segment.
        let mut out = Vec::new();
        let mut lower = 0;
        for seg in 0..8u8 {
            let width = if seg == 0 { 16 } else { 16 << (seg - 1) };
            for m in 0..16u8 {
                out.push((
                    (0x80 | seg << 4 | m) ^ 0x55,
                    lower,
                    width,
                    lower + width / 2,
                ));
                lower += width;
            }
        }
        out
    }

    #[test]
    fn ulaw_decode_full_table_matches_segment_definition() {
        let table = ulaw_intervals();
        assert_eq!(table.len(), 128);
        for &(code, _, _, value) in &table {
            assert_eq!(i32::from(ulaw_to_linear(code)), value, "code {code:#04x}");
            // The negative half mirrors the positive one (sign bit clear).
            assert_eq!(
                i32::from(ulaw_to_linear(code & 0x7F)),
                -value,
                "code {code:#04x}"
            );
        }
    }

    #[test]
    fn alaw_decode_full_table_matches_segment_definition() {
        let table = alaw_intervals();
        for &(code, _, _, value) in &table {
            assert_eq!(i32::from(alaw_to_linear(code)), value, "code {code:#04x}");
            assert_eq!(
                i32::from(alaw_to_linear(code ^ 0x80)),
                -value,
                "code {code:#04x}"
            );
        }
    }

    #[test]
    fn spot_values_from_the_standard() {
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(ulaw_to_linear(0x7F), 0);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        // 0x2A has the sign bit clear, so it is the most *negative* A-law value; the most
        // positive one is 0xAA.
        assert_eq!(alaw_to_linear(0x2A), -32256);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(Law::Mu.silence(), 0xFF);
        assert_eq!(Law::A.silence(), 0xD5);
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
        assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
        assert_eq!(linear_to_ulaw(-1), 0x7F);
        assert_eq!(linear_to_alaw(-1), 0x55);
    }

    /// Encoding by searching the decision intervals (the second, independent way).
    fn encode_by_search(table: &[(u8, i32, i32, i32)], mag: i32, positive: bool, law: Law) -> u8 {
        let (code, ..) = table
            .iter()
            .find(|&&(_, lo, w, _)| mag >= lo.max(0) && mag < lo + w)
            .copied()
            .unwrap_or(table[127]);
        match (law, positive) {
            (_, true) => code,
            (Law::Mu, false) => code & 0x7F,
            (Law::A, false) => code ^ 0x80,
        }
    }

    #[test]
    fn encode_every_i16_matches_interval_search() {
        let (ut, at) = (ulaw_intervals(), alaw_intervals());
        for x in i16::MIN..=i16::MAX {
            let mag = magnitude(x);
            // mu-law works on 14 bits; the bottom two bits never matter.
            let u = encode_by_search(&ut, mag & !3, x >= 0, Law::Mu);
            assert_eq!(linear_to_ulaw(x), u, "ulaw x={x}");
            let a = encode_by_search(&at, mag, x >= 0, Law::A);
            assert_eq!(linear_to_alaw(x), a, "alaw x={x}");
        }
    }

    /// Sun Microsystems' g711.c (the "bias 0x84, clip 32635" version) as an oracle.
    fn sun_linear2ulaw(pcm: i16) -> u8 {
        let mut v = i32::from(pcm);
        let mask = if v < 0 {
            v = -v;
            0x7F
        } else {
            0xFF
        };
        v = v.min(32635) + 0x84;
        let seg_end = [0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF];
        let seg = seg_end.iter().position(|&e| v <= e).unwrap_or(8) as i32;
        if seg >= 8 {
            return 0x7F ^ mask;
        }
        (((seg << 4) | ((v >> (seg + 3)) & 0xF)) as u8) ^ mask
    }

    fn sun_linear2alaw(pcm: i16) -> u8 {
        let mut v = i32::from(pcm) >> 3;
        let mask = if v >= 0 {
            0xD5
        } else {
            v = -v - 1;
            0x55
        };
        let seg_end = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
        let seg = seg_end.iter().position(|&e| v <= e).unwrap_or(8) as i32;
        if seg >= 8 {
            return 0x7F ^ mask;
        }
        let q = if seg < 2 {
            (v >> 1) & 0xF
        } else {
            (v >> seg) & 0xF
        };
        (((seg << 4) | q) as u8) ^ mask
    }

    #[test]
    fn alaw_encode_equals_sun_for_every_i16() {
        for x in i16::MIN..=i16::MAX {
            assert_eq!(linear_to_alaw(x), sun_linear2alaw(x), "x={x}");
        }
    }

    #[test]
    fn sun_ulaw_differs_only_on_negative_ties() {
        let mut differing = 0;
        for x in i16::MIN..=i16::MAX {
            let (ours, sun) = (linear_to_ulaw(x), sun_linear2ulaw(x));
            if ours != sun {
                differing += 1;
                // Only negative multiples of 4 (two's vs one's complement magnitude), and
                // Sun's code is then exactly one quantisation step further from zero.
                assert!(x < 0 && x % 4 == 0, "x={x}");
                assert_eq!(ours, sun + 1, "x={x}");
            }
        }
        // One decision value per code interval on the negative side, minus the clipped top.
        assert_eq!(differing, 127);
    }

    #[test]
    fn law_buffer_helpers_round_trip_codes() {
        for law in [Law::Mu, Law::A] {
            let codes: Vec<u8> = (0..=255).collect();
            let linear = law.decode(&codes);
            let mut back = law.encode(&linear);
            // mu-law has two zeros (0x7F and 0xFF); both encode back to 0xFF.
            if law == Law::Mu {
                back[0x7F] = 0x7F;
            }
            assert_eq!(back, codes, "{law:?}");
        }
    }

    proptest! {
        #[test]
        fn decode_encode_stays_within_one_step(x in any::<i16>()) {
            for law in [Law::Mu, Law::A] {
                let code = law.encode_sample(x);
                let y = i32::from(law.decode_sample(code));
                let seg = i32::from((code ^ if law == Law::Mu { 0xFF } else { 0xD5 }) >> 4 & 7);
                let step = match law {
                    Law::Mu => 8 << seg,
                    Law::A => if seg == 0 { 16 } else { 16 << (seg - 1) },
                };
                // Within one step, except above the top level where the codec clips.
                let err = (y - i32::from(x)).abs();
                prop_assert!(err <= step, "{law:?} x={x} y={y} step={step}");
            }
        }
    }
}
