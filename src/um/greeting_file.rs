//! A user's greeting files in the lab [`Mailbox`] folder (`mailboxes/<sAMAccountName>/`): the
//! custom greeting (`greeting.wav`) and the recorded name (`name.wav`) (and, through
//! [`store_as`], an auto attendant's greetings in `autoattendants/<name>/`) that
//! [`Greeting::for_mailbox`](super::Greeting::for_mailbox) finds and the worker plays.
//!
//! [`store`] checks a WAV the administrator gives (8 or 16 kHz, mono or stereo, PCM or
//! G.711), converts it to 8 kHz mono 16-bit PCM and writes it atomically (temp file, fsync,
//! rename, fsync the folder), so the worker never plays half a file. It does not look users
//! up (the CLI does) or play anything.

use std::fs;
use std::path::{Path, PathBuf};

use crate::atomic_file;
use crate::mail::Mailbox;
use crate::media::wav::{self, WavFormat};

/// Which file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GreetingFile {
    /// The custom greeting, `greeting.wav`.
    Custom,
    /// The recorded name, `name.wav`.
    Name,
    /// The away (out-of-office) greeting, `away.wav` (played while `away.on` exists).
    Away,
}

impl GreetingFile {
    pub fn file_name(self) -> &'static str {
        match self {
            GreetingFile::Custom => Mailbox::GREETING_FILE,
            GreetingFile::Name => Mailbox::NAME_FILE,
            GreetingFile::Away => Mailbox::AWAY_FILE,
        }
    }
}

/// What the administrator's file must be.
pub const EXPECTED: &str =
    "a WAV file of 8 or 16 kHz, mono or stereo, PCM or G.711 (A-law or mu-law), with audio";

/// Why a greeting cannot be stored; each names the file and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum GreetingFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not usable: {reason}; expected {EXPECTED}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("{} has no away greeting ({} is missing); record one first with `umctl lab greeting set {user} --away FILE.wav`", user, path.display())]
    NoAwayGreeting { user: String, path: PathBuf },
    #[error("{} is {seconds} s long; expected at most {max_minutes} min (MaxGreetingDuration of {policy})", path.display())]
    TooLong {
        path: PathBuf,
        seconds: u64,
        max_minutes: u32,
        policy: String,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl GreetingFileError {
    /// 2 for a bad file (bad input), 3 when the mailbox folder cannot be written.
    pub fn exit_code(&self) -> i32 {
        match self {
            GreetingFileError::Write { .. } => 3,
            _ => 2,
        }
    }
}

/// Checks `bytes` (read from `source`) and returns the audio as 8 kHz mono samples.
pub fn check(source: &Path, bytes: &[u8]) -> Result<Vec<i16>, GreetingFileError> {
    let invalid = |reason: String| GreetingFileError::Invalid {
        path: source.to_path_buf(),
        reason,
    };
    let (info, _) = wav::parse(bytes).map_err(|e| invalid(e.to_string()))?;
    if !matches!(info.format, WavFormat::Pcm | WavFormat::G711(_)) {
        return Err(invalid(format!("its samples are {:?}", info.format)));
    }
    if info.sample_rate != 8000 && info.sample_rate != 16000 {
        return Err(invalid(format!(
            "its sample rate is {} Hz",
            info.sample_rate
        )));
    }
    if info.channels != 1 && info.channels != 2 {
        return Err(invalid(format!("it has {} channels", info.channels)));
    }
    if info.frames == 0 {
        return Err(invalid("it holds no audio".into()));
    }
    wav::decode_8k_mono(bytes).map_err(|e| invalid(e.to_string()))
}

/// Refuses a greeting of `samples` (8 kHz) longer than the UM mailbox policy's
/// MaxGreetingDuration (`max_minutes`, of the policy named `policy`).
pub fn check_duration(
    source: &Path,
    samples: usize,
    max_minutes: u32,
    policy: &str,
) -> Result<(), GreetingFileError> {
    let seconds = samples as u64 / 8000;
    if samples as u64 > u64::from(max_minutes) * 60 * 8000 {
        return Err(GreetingFileError::TooLong {
            path: source.to_path_buf(),
            seconds,
            max_minutes,
            policy: policy.to_string(),
        });
    }
    Ok(())
}

/// Turns the away greeting of `user`'s `mailbox` on or off; on needs a recorded `away.wav`.
/// Returns the file callers hear while on.
pub fn set_away(mailbox: &Mailbox, user: &str, on: bool) -> Result<PathBuf, GreetingFileError> {
    let away = mailbox.away_greeting();
    let marker = mailbox.away_on();
    let write_err = |source| GreetingFileError::Write {
        path: marker.clone(),
        source,
    };
    if !on {
        match fs::remove_file(&marker) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(write_err(e)),
            _ => return Ok(away),
        }
    }
    if !away.is_file() {
        return Err(GreetingFileError::NoAwayGreeting {
            user: user.to_string(),
            path: away,
        });
    }
    fs::write(&marker, b"on\n").map_err(write_err)?;
    Ok(away)
}

/// Stores the WAV at `source` as `which` in `mailbox` (created if needed); returns the path
/// written and the duration in milliseconds.
pub fn store(
    mailbox: &Mailbox,
    which: GreetingFile,
    source: &Path,
) -> Result<(PathBuf, u64), GreetingFileError> {
    store_as(mailbox.dir(), which.file_name(), source)
}

/// Reads and checks the WAV at `source`: the audio as 8 kHz mono samples.
pub fn read_checked(source: &Path) -> Result<Vec<i16>, GreetingFileError> {
    let bytes = fs::read(source).map_err(|e| GreetingFileError::Read {
        path: source.to_path_buf(),
        source: e,
    })?;
    check(source, &bytes)
}

/// Stores the WAV at `source` as `file_name` in `folder` (an auto attendant's greetings too).
pub fn store_as(
    folder: &Path,
    file_name: &str,
    source: &Path,
) -> Result<(PathBuf, u64), GreetingFileError> {
    let mailbox = folder;
    let samples = read_checked(source)?;
    let target = mailbox.join(file_name);
    atomic_file::write(&target, &wav::encode_pcm16(&samples)).map_err(|e| {
        GreetingFileError::Write {
            path: e.path,
            source: e.source,
        }
    })?;
    Ok((target, samples.len() as u64 / 8))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::um::Greeting;

    fn wav16k_stereo(frames: usize) -> Vec<u8> {
        // 16 kHz stereo 16-bit PCM, written by hand.
        let data: Vec<u8> = (0..frames)
            .flat_map(|i| {
                let v = ((i as f64 * 0.1).sin() * 5000.0) as i16;
                [v.to_le_bytes(), v.to_le_bytes()].concat()
            })
            .collect();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16000u32.to_le_bytes());
        out.extend_from_slice(&64000u32.to_le_bytes());
        out.extend_from_slice(&4u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&data);
        out
    }

    #[test]
    fn a_16k_stereo_wav_is_stored_as_8k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in.wav");
        fs::write(&src, wav16k_stereo(16000)).unwrap();
        let mbx = Mailbox::open(&dir.path().join("mailboxes"), "bob").unwrap();
        let (path, ms) = store(&mbx, GreetingFile::Custom, &src).unwrap();
        assert_eq!(path, dir.path().join("mailboxes/bob/greeting.wav"));
        assert_eq!(ms, 1000);
        let (info, _) = wav::parse(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            (info.sample_rate, info.channels, info.frames),
            (8000, 1, 8000)
        );
        assert_eq!(
            fs::read_dir(mbx.dir()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn the_away_greeting_wins_while_it_is_on() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in.wav");
        fs::write(&src, wav16k_stereo(1600)).unwrap();
        let root = dir.path().join("mailboxes");
        let mbx = Mailbox::open(&root, "bob").unwrap();
        let greeting = || Greeting::for_mailbox(Some(&mbx), "Bob");
        let err = set_away(&mbx, "bob", true).unwrap_err();
        assert!(err.to_string().contains("--away FILE.wav"), "{err}");
        assert_eq!(err.exit_code(), 2);
        store(&mbx, GreetingFile::Custom, &src).unwrap();
        let (away, _) = store(&mbx, GreetingFile::Away, &src).unwrap();
        assert!(
            matches!(greeting(), Greeting::Custom { .. }),
            "recorded, not on"
        );
        set_away(&mbx, "bob", true).unwrap();
        assert_eq!(greeting(), Greeting::Away { file: away });
        set_away(&mbx, "bob", false).unwrap();
        set_away(&mbx, "bob", false).unwrap();
        assert!(matches!(greeting(), Greeting::Custom { .. }));
    }

    #[test]
    fn other_rates_and_non_wav_files_are_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("hifi.wav");
        let mut bytes = wav16k_stereo(100);
        bytes[24..28].copy_from_slice(&44100u32.to_le_bytes());
        fs::write(&src, bytes).unwrap();
        let mbx = Mailbox::open(dir.path(), "bob").unwrap();
        let err = store(&mbx, GreetingFile::Name, &src).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("hifi.wav") && text.contains("44100 Hz") && text.contains("8 or 16 kHz"),
            "{text}"
        );
        assert_eq!(err.exit_code(), 2);
        let txt = dir.path().join("notes.txt");
        fs::write(&txt, b"hello").unwrap();
        let text = store(&mbx, GreetingFile::Name, &txt)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("notes.txt") && text.contains("RIFF"),
            "{text}"
        );
        assert!(!mbx.recorded_name().exists());
    }
}
