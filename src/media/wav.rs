//! WAV (RIFF/WAVE) reading and writing for greetings and voice mail.
//!
//! Reading accepts what administrators actually upload: PCM 8/16/24/32-bit, IEEE float, A-law
//! (tag 6) and mu-law (tag 7), also wrapped in WAVE_FORMAT_EXTENSIBLE; any channel count
//! (downmixed by averaging) and any sample rate from 4 kHz to 192 kHz (resampled to 8 kHz with
//! a windowed-sinc polyphase filter, see [`resample`]). Unknown chunks (LIST, bext, cue ...)
//! are skipped, odd-sized chunks are padded as RIFF requires, and a data chunk whose size is
//! wrong (streaming writers leave 0 or 0xFFFFFFFF) is read up to the end of the file. The
//! output is always 8 kHz mono i16, what the RTP sender plays.
//!
//! Writing produces 8 kHz mono 16-bit PCM, or G.711 WAV (tag 6/7 with the `fact` chunk that
//! non-PCM formats need), so a recording can be stored as received without transcoding.
//!
//! Hand-written instead of `hound`: hound reads and writes only PCM and float (no A-law/mu-law
//! format tags, ruuda/hound#78), and the RIFF walk is ~100 lines. This file does not play,
//! record or schedule audio; it only converts bytes.

use std::path::Path;

use super::g711::Law;
use super::MediaError;

/// The rate everything is converted to: G.711's 8 kHz clock.
pub const TARGET_RATE: u32 = 8000;

/// Problems with a WAV byte stream. Each names what was found and what was expected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WavError {
    #[error("file starts with {q}; expected 'RIFF' (a RIFF/WAVE file)", q = crate::quote::Quoted(.found))]
    NotRiff { found: String },
    #[error("RIFF form type is {q}; expected 'WAVE'", q = crate::quote::Quoted(.found))]
    NotWave { found: String },
    #[error("file ends inside the {q} chunk at byte {offset}: it needs {needed} bytes, {available} are left", q = crate::quote::Quoted(.chunk))]
    Truncated {
        chunk: String,
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("no '{chunk}' chunk found; expected a 'fmt ' and a 'data' chunk")]
    MissingChunk { chunk: &'static str },
    #[error("format tag {tag} ({name}) is not supported; expected PCM, A-law or mu-law")]
    UnsupportedFormat { tag: u16, name: &'static str },
    #[error("WAVE_FORMAT_EXTENSIBLE sub-format {guid} is not supported; expected PCM, IEEE float, A-law or mu-law")]
    UnsupportedSubformat { guid: String },
    #[error("{format} with {bits} bits per sample in {container} byte(s) is not supported; expected {expected}")]
    UnsupportedBits {
        format: &'static str,
        bits: u16,
        container: u16,
        expected: &'static str,
    },
    #[error("{channels} channels with block align {block_align}; expected 1 to 8 channels and a block align that is a whole number of bytes per channel")]
    BadLayout { channels: u16, block_align: u16 },
    #[error("sample rate {rate} Hz is not supported; expected 4000 to 192000 Hz")]
    BadSampleRate { rate: u32 },
}

/// The sample encoding of a WAV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WavFormat {
    Pcm,
    Float,
    G711(Law),
}

/// What the `fmt ` chunk (and the data chunk's size) says about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WavInfo {
    pub format: WavFormat,
    pub channels: u16,
    pub sample_rate: u32,
    /// Significant bits per sample.
    pub bits_per_sample: u16,
    /// Bytes each sample occupies (block align / channels).
    pub container_bytes: u16,
    /// Samples per channel in the data chunk.
    pub frames: usize,
}

impl WavInfo {
    /// Duration in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.frames as u64 * 1000 / u64::from(self.sample_rate)
    }
}

fn format_name(tag: u16) -> &'static str {
    match tag {
        0x0001 => "PCM",
        0x0002 => "Microsoft ADPCM",
        0x0003 => "IEEE float",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG",
        0x0055 => "MP3",
        0x00FF => "AAC",
        0x0161 => "WMA",
        0xFFFE => "extensible",
        _ => "unknown",
    }
}

/// The 14 bytes every KSDATAFORMAT_SUBTYPE_* GUID shares after its first two.
const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn fourcc(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Parse the RIFF structure: the format description and the raw sample bytes (whole frames).
pub fn parse(bytes: &[u8]) -> Result<(WavInfo, &[u8]), WavError> {
    if bytes.len() < 12 {
        return Err(WavError::Truncated {
            chunk: "RIFF".into(),
            offset: 0,
            needed: 12,
            available: bytes.len(),
        });
    }
    if &bytes[0..4] != b"RIFF" {
        return Err(WavError::NotRiff {
            found: fourcc(&bytes[0..4]),
        });
    }
    if &bytes[8..12] != b"WAVE" {
        return Err(WavError::NotWave {
            found: fourcc(&bytes[8..12]),
        });
    }
    let mut fmt: Option<&[u8]> = None;
    let mut data: Option<&[u8]> = None;
    let mut pos = 12;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = le32(bytes, pos + 4) as usize;
        let body = pos + 8;
        let available = bytes.len() - body;
        let mut len = size;
        if id == b"data" {
            // Lenient: a streaming writer may leave the size at 0 or 0xFFFFFFFF.
            if size == 0 || size > available {
                len = available;
            }
            data = Some(&bytes[body..body + len]);
        } else if size > available {
            return Err(WavError::Truncated {
                chunk: fourcc(id),
                offset: pos,
                needed: size,
                available,
            });
        } else if id == b"fmt " {
            fmt = Some(&bytes[body..body + size]);
        }
        if data.is_some() && fmt.is_some() {
            break;
        }
        // RIFF chunks are padded to an even length. `len` <= `available`, so no overflow.
        pos = body + len + (len & 1);
    }
    let fmt = fmt.ok_or(WavError::MissingChunk { chunk: "fmt " })?;
    let data = data.ok_or(WavError::MissingChunk { chunk: "data" })?;
    let info = parse_fmt(fmt, data.len())?;
    let frame = usize::from(info.container_bytes) * usize::from(info.channels);
    Ok((info, &data[..data.len() / frame * frame]))
}

fn parse_fmt(fmt: &[u8], data_len: usize) -> Result<WavInfo, WavError> {
    if fmt.len() < 16 {
        return Err(WavError::Truncated {
            chunk: "fmt ".into(),
            offset: 0,
            needed: 16,
            available: fmt.len(),
        });
    }
    let mut tag = le16(fmt, 0);
    let channels = le16(fmt, 2);
    let sample_rate = le32(fmt, 4);
    let block_align = le16(fmt, 12);
    let mut bits = le16(fmt, 14);
    if tag == 0xFFFE {
        if fmt.len() < 40 {
            return Err(WavError::Truncated {
                chunk: "fmt ".into(),
                offset: 0,
                needed: 40,
                available: fmt.len(),
            });
        }
        let guid = &fmt[24..40];
        if guid[2..] != GUID_TAIL {
            let hex: String = guid.iter().map(|b| format!("{b:02x}")).collect();
            return Err(WavError::UnsupportedSubformat { guid: hex });
        }
        tag = le16(guid, 0);
        let valid = le16(fmt, 18);
        if valid != 0 {
            bits = valid;
        }
    }
    let format = match tag {
        1 => WavFormat::Pcm,
        3 => WavFormat::Float,
        6 => WavFormat::G711(Law::A),
        7 => WavFormat::G711(Law::Mu),
        other => {
            return Err(WavError::UnsupportedFormat {
                tag: other,
                name: format_name(other),
            })
        }
    };
    if channels == 0 || channels > 8 || block_align == 0 || !block_align.is_multiple_of(channels) {
        return Err(WavError::BadLayout {
            channels,
            block_align,
        });
    }
    if !(4000..=192_000).contains(&sample_rate) {
        return Err(WavError::BadSampleRate { rate: sample_rate });
    }
    let container = block_align / channels;
    let (ok, name, expected) = match format {
        WavFormat::Pcm => (
            (1..=4).contains(&container) && bits > 0 && bits <= container * 8,
            "PCM",
            "8, 16, 24 or 32 bits",
        ),
        WavFormat::Float => (
            (container == 4 && bits == 32) || (container == 8 && bits == 64),
            "IEEE float",
            "32 or 64 bits",
        ),
        WavFormat::G711(_) => (container == 1 && bits == 8, "G.711", "8 bits"),
    };
    if !ok {
        return Err(WavError::UnsupportedBits {
            format: name,
            bits,
            container,
            expected,
        });
    }
    Ok(WavInfo {
        format,
        channels,
        sample_rate,
        bits_per_sample: bits,
        container_bytes: container,
        frames: data_len / usize::from(block_align),
    })
}

/// One sample as a float in the i16 range.
fn sample_at(info: &WavInfo, b: &[u8]) -> f32 {
    match (info.format, info.container_bytes) {
        (WavFormat::G711(law), _) => f32::from(law.decode_sample(b[0])),
        (WavFormat::Pcm, 1) => (f32::from(b[0]) - 128.0) * 256.0,
        (WavFormat::Pcm, 2) => f32::from(i16::from_le_bytes([b[0], b[1]])),
        (WavFormat::Pcm, 3) => i32::from_le_bytes([0, b[0], b[1], b[2]]) as f32 / 65536.0,
        (WavFormat::Pcm, _) => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 65536.0,
        (WavFormat::Float, 4) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) * 32768.0,
        (WavFormat::Float, _) => {
            let v = f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            (v * 32768.0) as f32
        }
    }
}

/// Decode any supported WAV to 8 kHz mono i16 (downmix, then resample).
pub fn decode_8k_mono(bytes: &[u8]) -> Result<Vec<i16>, WavError> {
    let (info, data) = parse(bytes)?;
    let size = usize::from(info.container_bytes);
    let channels = usize::from(info.channels);
    let mono: Vec<f32> = data
        .chunks_exact(size * channels)
        .map(|frame| {
            let sum: f32 = frame.chunks_exact(size).map(|s| sample_at(&info, s)).sum();
            sum / channels as f32
        })
        .collect();
    let out = if info.sample_rate == TARGET_RATE {
        mono
    } else {
        resample(&mono, info.sample_rate, TARGET_RATE)
    };
    Ok(out.iter().map(|&v| to_i16(v)).collect())
}

fn to_i16(v: f32) -> i16 {
    // `as` saturates, so clipping is built in.
    v.round() as i16
}

/// Read a WAV file from disk and convert it to 8 kHz mono; errors name the file.
pub fn read_file(path: &Path) -> Result<Vec<i16>, MediaError> {
    let bytes = std::fs::read(path).map_err(|source| MediaError::WavIo {
        path: path.to_path_buf(),
        source,
    })?;
    decode_8k_mono(&bytes).map_err(|source| MediaError::WavFile {
        path: path.to_path_buf(),
        source,
    })
}

/// Write bytes (from [`encode_pcm16`] or [`encode_g711`]) to a file; errors name the file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), MediaError> {
    std::fs::write(path, bytes).map_err(|source| MediaError::WavIo {
        path: path.to_path_buf(),
        source,
    })
}

fn riff(fmt: &[u8], fact_frames: Option<u32>, data: &[u8]) -> Vec<u8> {
    let pad = data.len() & 1;
    let fact_len = if fact_frames.is_some() { 12 } else { 0 };
    let riff_len = 4 + 8 + fmt.len() + fact_len + 8 + data.len() + pad;
    let mut out = Vec::with_capacity(8 + riff_len);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(riff_len as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    out.extend_from_slice(fmt);
    if let Some(frames) = fact_frames {
        out.extend_from_slice(b"fact");
        out.extend_from_slice(&4u32.to_le_bytes());
        out.extend_from_slice(&frames.to_le_bytes());
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if pad == 1 {
        out.push(0);
    }
    out
}

fn fmt_chunk(tag: u16, bits: u16, extra: bool) -> Vec<u8> {
    let block_align = bits / 8;
    let mut f = Vec::with_capacity(18);
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes()); // mono
    f.extend_from_slice(&TARGET_RATE.to_le_bytes());
    f.extend_from_slice(&(TARGET_RATE * u32::from(block_align)).to_le_bytes());
    f.extend_from_slice(&block_align.to_le_bytes());
    f.extend_from_slice(&bits.to_le_bytes());
    if extra {
        f.extend_from_slice(&0u16.to_le_bytes()); // cbSize: non-PCM formats carry it
    }
    f
}

/// 8 kHz mono 16-bit PCM WAV.
pub fn encode_pcm16(samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    riff(&fmt_chunk(1, 16, false), None, &data)
}

/// 8 kHz mono G.711 WAV (format tag 6 or 7, with a `fact` chunk) from already encoded codes.
pub fn encode_g711(law: Law, codes: &[u8]) -> Vec<u8> {
    riff(
        &fmt_chunk(law.wav_format_tag(), 8, true),
        Some(codes.len() as u32),
        codes,
    )
}

/// Zero crossings of the sinc kernel kept on each side.
const ZERO_CROSSINGS: f64 = 32.0;
/// Pass band as a fraction of the lower Nyquist frequency (3680 Hz for 8 kHz output).
const PASS_FRACTION: f64 = 0.92;
/// Above this many distinct phases the taps are computed per output sample, not tabulated.
const MAX_TABLE_PHASES: u64 = 512;

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Resample with a Blackman-windowed sinc (polyphase, exact rational ratio).
///
/// Chosen over linear interpolation because greetings arrive at 16, 22.05, 44.1 and 48 kHz and
/// linear interpolation aliases everything above 4 kHz straight into the telephone band. The
/// low-pass sits at 0.92 of the lower Nyquist frequency (3680 Hz when going to 8 kHz) and the
/// kernel spans 32 zero crossings each side, which with a Blackman window gives roughly
/// 70 dB of stop-band rejection from about 4 kHz. 16 kHz -> 8 kHz is the 1:2 case of the same
/// filter: a proper low-pass followed by decimation. Each phase is normalised to unity DC gain.
pub fn resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || input.is_empty() || from == 0 || to == 0 {
        return input.to_vec();
    }
    let g = gcd(u64::from(from), u64::from(to));
    let (up, down) = (u64::from(to) / g, u64::from(from) / g);
    // Cut-off in cycles per input sample.
    let fc = 0.5 * PASS_FRACTION * (f64::from(to) / f64::from(from)).min(1.0);
    let half = (ZERO_CROSSINGS / (2.0 * fc)).ceil() as i64;
    let taps_for = |phase: u64| -> Vec<f32> {
        let frac = phase as f64 / up as f64;
        let mut taps: Vec<f64> = (0..2 * half)
            .map(|j| {
                // Distance from the output instant to input sample (i - half + 1 + j).
                let u = frac + (half - 1 - j) as f64;
                let x = 2.0 * fc * u;
                let sinc = if x.abs() < 1e-12 {
                    1.0
                } else {
                    (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
                };
                let w = u / half as f64; // -1..1
                let blackman = if w.abs() >= 1.0 {
                    0.0
                } else {
                    0.42 + 0.5 * (std::f64::consts::PI * w).cos()
                        + 0.08 * (2.0 * std::f64::consts::PI * w).cos()
                };
                sinc * blackman
            })
            .collect();
        let sum: f64 = taps.iter().sum();
        if sum.abs() > 1e-12 {
            taps.iter_mut().for_each(|t| *t /= sum);
        }
        taps.into_iter().map(|t| t as f32).collect()
    };
    let table: Vec<Vec<f32>> = if up <= MAX_TABLE_PHASES {
        (0..up).map(taps_for).collect()
    } else {
        Vec::new()
    };
    let out_len = (input.len() as u64 * up / down) as usize;
    let mut out = Vec::with_capacity(out_len);
    let n_in = input.len() as i64;
    for n in 0..out_len as u64 {
        let pos = n * down;
        let (i, phase) = ((pos / up) as i64, pos % up);
        let computed;
        let taps: &[f32] = if table.is_empty() {
            computed = taps_for(phase);
            &computed
        } else {
            &table[phase as usize]
        };
        let first = i - half + 1;
        let lo = (-first).max(0) as usize;
        let hi = ((n_in - first).min(2 * half)).max(0) as usize;
        let mut acc = 0.0f32;
        for j in lo..hi.max(lo) {
            acc += taps[j] * input[(first + j as i64) as usize];
        }
        out.push(acc);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, secs: f64, amp: f64) -> Vec<f64> {
        let n = (f64::from(rate) * secs) as usize;
        (0..n)
            .map(|i| amp * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
            .collect()
    }

    /// A WAV built by hand, field by field, independent of the writer under test.
    fn wav(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8], extra: &[&[u8]]) -> Vec<u8> {
        let align = channels * bits.div_ceil(8);
        let mut fmt = Vec::new();
        fmt.extend_from_slice(&tag.to_le_bytes());
        fmt.extend_from_slice(&channels.to_le_bytes());
        fmt.extend_from_slice(&rate.to_le_bytes());
        fmt.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
        fmt.extend_from_slice(&align.to_le_bytes());
        fmt.extend_from_slice(&bits.to_le_bytes());
        let mut body = b"WAVE".to_vec();
        for chunk in extra {
            body.extend_from_slice(chunk);
        }
        body.extend_from_slice(b"fmt ");
        body.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
        body.extend_from_slice(&fmt);
        body.extend_from_slice(b"data");
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    fn pcm16(samples: &[f64]) -> Vec<u8> {
        samples
            .iter()
            .flat_map(|&s| (s.round() as i16).to_le_bytes())
            .collect()
    }

    /// RMS of a signal, skipping the filter's edges.
    fn rms(x: &[i16]) -> f64 {
        let x = &x[x.len() / 8..x.len() * 7 / 8];
        (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    fn goertzel_amp(x: &[i16], freq: f64) -> f64 {
        let x = &x[x.len() / 8..x.len() * 7 / 8];
        let w = 2.0 * std::f64::consts::PI * freq / 8000.0;
        let (mut re, mut im) = (0.0, 0.0);
        for (i, &v) in x.iter().enumerate() {
            re += f64::from(v) * (w * i as f64).cos();
            im += f64::from(v) * (w * i as f64).sin();
        }
        2.0 * (re * re + im * im).sqrt() / x.len() as f64
    }

    #[test]
    fn pcm16_8k_mono_is_copied_exactly_and_round_trips_through_the_writer() {
        let samples: Vec<i16> = (0..800)
            .map(|i| ((i * 97) % 65536 - 32768) as i16)
            .collect();
        let bytes = encode_pcm16(&samples);
        assert_eq!(bytes.len(), 44 + 1600);
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(le32(&bytes, 4) as usize, bytes.len() - 8);
        let (info, _) = parse(&bytes).unwrap();
        assert_eq!(info.format, WavFormat::Pcm);
        assert_eq!(
            (info.channels, info.sample_rate, info.frames),
            (1, 8000, 800)
        );
        assert_eq!(info.duration_ms(), 100);
        assert_eq!(decode_8k_mono(&bytes).unwrap(), samples);
        // And the hand-built header gives the same result.
        let hand = wav(1, 1, 8000, 16, &bytes[44..], &[]);
        assert_eq!(hand, bytes);
    }

    #[test]
    fn g711_wav_has_fact_chunk_and_decodes() {
        let linear: Vec<i16> = sine(1000.0, 8000, 0.1, 8000.0)
            .iter()
            .map(|&v| v as i16)
            .collect();
        for law in [Law::Mu, Law::A] {
            let mut codes = law.encode(&linear);
            codes.push(law.silence()); // odd length: the data chunk needs a pad byte
            let bytes = encode_g711(law, &codes);
            assert_eq!(le16(&bytes, 20), law.wav_format_tag());
            assert_eq!(le32(&bytes, 16), 18); // fmt with cbSize
            assert_eq!(&bytes[38..42], b"fact");
            assert_eq!(le32(&bytes, 46) as usize, codes.len());
            assert_eq!(bytes.len() % 2, 0);
            assert_eq!(le32(&bytes, 4) as usize, bytes.len() - 8);
            let (info, data) = parse(&bytes).unwrap();
            assert_eq!(info.format, WavFormat::G711(law));
            assert_eq!(data, &codes[..]);
            assert_eq!(decode_8k_mono(&bytes).unwrap(), law.decode(&codes));
        }
    }

    #[test]
    fn eight_bit_unsigned_and_stereo_downmix() {
        let bytes = wav(1, 1, 8000, 8, &[0, 128, 255], &[]);
        assert_eq!(decode_8k_mono(&bytes).unwrap(), vec![-32768, 0, 32512]);
        // Stereo: L=1000, R=-3000 -> -1000; L=R -> unchanged.
        let mut data = Vec::new();
        for (l, r) in [(1000i16, -3000i16), (500, 500), (32767, 32767)] {
            data.extend_from_slice(&l.to_le_bytes());
            data.extend_from_slice(&r.to_le_bytes());
        }
        let bytes = wav(1, 2, 8000, 16, &data, &[]);
        assert_eq!(decode_8k_mono(&bytes).unwrap(), vec![-1000, 500, 32767]);
    }

    #[test]
    fn skips_list_chunks_with_odd_padding() {
        // A LIST chunk of odd length (9) followed by its pad byte, as Audacity/ffmpeg write.
        let mut list = b"LIST".to_vec();
        list.extend_from_slice(&9u32.to_le_bytes());
        list.extend_from_slice(b"INFOISFT\0");
        list.push(0);
        let data = pcm16(&[1.0, 2.0, 3.0]);
        let bytes = wav(1, 1, 8000, 16, &data, &[&list]);
        assert_eq!(decode_8k_mono(&bytes).unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn streaming_writer_data_size_reads_to_end() {
        let data = pcm16(&[5.0, 6.0, 7.0, 8.0]);
        let mut bytes = wav(1, 1, 8000, 16, &data, &[]);
        let at = bytes.len() - data.len() - 4;
        bytes[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        bytes.push(0x11); // half a sample of trailing junk is dropped
        assert_eq!(decode_8k_mono(&bytes).unwrap(), vec![5, 6, 7, 8]);
    }

    #[test]
    fn extensible_with_g711_and_pcm_subformats() {
        let ext = |sub: u16, bits: u16, data: &[u8]| {
            let mut bytes = wav(0xFFFE, 1, 8000, bits, data, &[]);
            // Grow the fmt chunk to 40 bytes: cbSize 22, valid bits, mask, GUID.
            let mut extra = Vec::new();
            extra.extend_from_slice(&22u16.to_le_bytes());
            extra.extend_from_slice(&bits.to_le_bytes());
            extra.extend_from_slice(&4u32.to_le_bytes());
            extra.extend_from_slice(&sub.to_le_bytes());
            extra.extend_from_slice(&GUID_TAIL);
            bytes.splice(36..36, extra);
            bytes[16..20].copy_from_slice(&40u32.to_le_bytes());
            let riff_len = (bytes.len() - 8) as u32;
            bytes[4..8].copy_from_slice(&riff_len.to_le_bytes());
            bytes
        };
        let mu = ext(7, 8, &[0xFF, 0x80, 0x00]);
        assert_eq!(decode_8k_mono(&mu).unwrap(), vec![0, 32124, -32124]);
        let pcm = ext(1, 16, &pcm16(&[-7.0, 9.0]));
        assert_eq!(decode_8k_mono(&pcm).unwrap(), vec![-7, 9]);
        let mut bad = ext(1, 16, &pcm16(&[1.0]));
        bad[50] = 0x99; // corrupt the GUID tail
        assert!(matches!(
            decode_8k_mono(&bad),
            Err(WavError::UnsupportedSubformat { .. })
        ));
    }

    #[test]
    fn errors_name_the_problem() {
        let mp3 = wav(0x55, 1, 8000, 16, &[0; 4], &[]);
        let err = decode_8k_mono(&mp3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "format tag 85 (MP3) is not supported; expected PCM, A-law or mu-law"
        );
        let err = decode_8k_mono(b"ID3\x04 this is an mp3 file").unwrap_err();
        assert!(err.to_string().contains("'ID3\\x04'"), "{err}");
        assert!(matches!(
            decode_8k_mono(b"RIFF\0\0\0\0AVI LIST"),
            Err(WavError::NotWave { .. })
        ));
        let no_data = &wav(1, 1, 8000, 16, &[], &[])[..36];
        assert_eq!(
            decode_8k_mono(no_data).unwrap_err(),
            WavError::MissingChunk { chunk: "data" }
        );
        let rate = wav(1, 1, 1000, 16, &[0; 2], &[]);
        assert_eq!(
            decode_8k_mono(&rate).unwrap_err(),
            WavError::BadSampleRate { rate: 1000 }
        );
        let g711_16 = wav(7, 1, 8000, 16, &[0; 2], &[]);
        assert!(matches!(
            decode_8k_mono(&g711_16).unwrap_err(),
            WavError::UnsupportedBits { bits: 16, .. }
        ));
        // Truncated fmt chunk.
        let mut cut = wav(1, 1, 8000, 16, &[0; 2], &[]);
        cut.truncate(30);
        assert!(matches!(
            decode_8k_mono(&cut).unwrap_err(),
            WavError::Truncated { .. }
        ));
        // The file-level error names the path.
        let dir = std::env::temp_dir().join(format!("umctl-wav-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("greeting.wav");
        write_file(&path, &mp3).unwrap();
        let err = read_file(&path).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "greeting.wav: format tag 85 (MP3) is not supported; expected PCM, A-law or mu-law"
            ),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sixteen_khz_is_low_passed_then_decimated() {
        // 1 kHz passes at full level; 6 kHz (which would alias to 2 kHz) is removed.
        let pass = pcm16(&sine(1000.0, 16000, 0.25, 10000.0));
        let out = decode_8k_mono(&wav(1, 1, 16000, 16, &pass, &[])).unwrap();
        assert_eq!(out.len(), 2000);
        let level = goertzel_amp(&out, 1000.0);
        assert!((level - 10000.0).abs() < 50.0, "1 kHz amplitude {level}");
        let stop = pcm16(&sine(6000.0, 16000, 0.25, 10000.0));
        let out = decode_8k_mono(&wav(1, 1, 16000, 16, &stop, &[])).unwrap();
        assert!(
            rms(&out) < 10000.0 * 0.001,
            "6 kHz leaked: rms {}",
            rms(&out)
        );
        // 3.3 kHz (top of the telephone band) loses at most 1 dB.
        let edge = pcm16(&sine(3300.0, 16000, 0.25, 10000.0));
        let out = decode_8k_mono(&wav(1, 1, 16000, 16, &edge, &[])).unwrap();
        assert!(goertzel_amp(&out, 3300.0) > 10000.0 * 0.89);
    }

    #[test]
    fn stereo_16k_greeting() {
        let left = sine(440.0, 16000, 0.2, 6000.0);
        let mut data = Vec::new();
        for &l in &left {
            data.extend_from_slice(&(l as i16).to_le_bytes());
            data.extend_from_slice(&(l as i16).to_le_bytes());
        }
        let out = decode_8k_mono(&wav(1, 2, 16000, 16, &data, &[])).unwrap();
        assert_eq!(out.len(), 1600);
        assert!((goertzel_amp(&out, 440.0) - 6000.0).abs() < 60.0);
    }

    #[test]
    fn other_rates_and_float() {
        for rate in [11025, 22050, 44100, 48000, 6000] {
            let tone = pcm16(&sine(1000.0, rate, 0.1, 10000.0));
            let out = decode_8k_mono(&wav(1, 1, rate, 16, &tone, &[])).unwrap();
            assert!(out.len().abs_diff(800) <= 1, "rate {rate}: {}", out.len());
            let level = goertzel_amp(&out, 1000.0);
            assert!((level - 10000.0).abs() < 100.0, "rate {rate}: {level}");
        }
        // 44.1 kHz with a 5 kHz component: gone after conversion.
        let tone = pcm16(&sine(5000.0, 44100, 0.1, 10000.0));
        let out = decode_8k_mono(&wav(1, 1, 44100, 16, &tone, &[])).unwrap();
        assert!(rms(&out) < 10.0, "5 kHz leaked: {}", rms(&out));
        // 32-bit float at 8 kHz.
        let floats: Vec<u8> = [0.5f32, -0.25, 1.5]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        let out = decode_8k_mono(&wav(3, 1, 8000, 32, &floats, &[])).unwrap();
        assert_eq!(out, vec![16384, -8192, 32767]);
        // 24-bit PCM.
        let data = [0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF];
        let out = decode_8k_mono(&wav(1, 1, 8000, 24, &data, &[])).unwrap();
        assert_eq!(out, vec![16384, 0]);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_or_corrupted_files_never_panic(
            junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            flips in proptest::collection::vec((0usize..120, proptest::prelude::any::<u8>()), 0..6),
        ) {
            let _ = decode_8k_mono(&junk);
            let mut file = encode_pcm16(&[1, -2, 3, -4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38]);
            for (at, v) in flips {
                if at < file.len() {
                    file[at] = v;
                }
            }
            let _ = decode_8k_mono(&file);
        }
    }

    #[test]
    fn resample_keeps_dc_and_length() {
        let x = vec![1000.0f32; 1600];
        let y = resample(&x, 16000, 8000);
        assert_eq!(y.len(), 800);
        // Away from the edges DC passes unchanged.
        assert!(y[100..700].iter().all(|v| (v - 1000.0).abs() < 0.5));
        assert_eq!(resample(&x, 8000, 8000), x);
        assert!(resample(&[], 44100, 8000).is_empty());
    }
}
