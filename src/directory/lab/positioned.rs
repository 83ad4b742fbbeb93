//! Positioned reads of a lab file umctl keeps open (the forest and its index), so a
//! read-only command reads the few records and index rows it needs, not whole files. The file
//! is read through its open handle: a save that replaces the file (umctl's saves rename a new
//! file into place) leaves the handle on the bytes that were checked when it was opened.
//! Bytes held in memory (a freshly built index, tests) answer the same way.

use std::fs::File;

/// Bytes to read from at any offset.
pub enum Positioned {
    File { file: File, len: u64 },
    Memory(Vec<u8>),
}

impl Positioned {
    /// The length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Positioned::File { len, .. } => *len,
            Positioned::Memory(bytes) => bytes.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` from offset `at`; `None` past the end or on a read error.
    pub fn read_into(&self, at: u64, buf: &mut [u8]) -> Option<()> {
        let end = at.checked_add(buf.len() as u64)?;
        if end > self.len() {
            return None;
        }
        match self {
            Positioned::Memory(bytes) => {
                buf.copy_from_slice(bytes.get(at as usize..end as usize)?);
                Some(())
            }
            Positioned::File { file, .. } => read_exact_at(file, buf, at).ok(),
        }
    }

    /// `len` bytes from offset `at`.
    pub fn read(&self, at: u64, len: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0; len];
        self.read_into(at, &mut buf)?;
        Some(buf)
    }

    pub fn u32_at(&self, at: u64) -> Option<u32> {
        let mut b = [0; 4];
        self.read_into(at, &mut b)?;
        Some(u32::from_le_bytes(b))
    }

    pub fn u64_at(&self, at: u64) -> Option<u64> {
        let mut b = [0; 8];
        self.read_into(at, &mut b)?;
        Some(u64::from_le_bytes(b))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn file_and_memory_read_alike() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        let mut temp = tempfile::NamedTempFile::new().unwrap();
        temp.write_all(&bytes).unwrap();
        let file = Positioned::File {
            file: File::open(temp.path()).unwrap(),
            len: 256,
        };
        let memory = Positioned::Memory(bytes);
        for source in [&file, &memory] {
            assert_eq!(source.read(10, 3).unwrap(), [10, 11, 12]);
            assert_eq!(source.u32_at(0).unwrap(), 0x0302_0100);
            assert_eq!(source.u64_at(248).unwrap(), 0xfffe_fdfc_fbfa_f9f8);
            assert!(source.read(250, 7).is_none(), "past the end");
            assert!(source.u32_at(u64::MAX - 1).is_none());
        }
    }
}
