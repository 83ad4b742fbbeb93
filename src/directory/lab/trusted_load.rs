//! Loading a forest file umctl wrote itself, fast. Every save puts a digest of the file's
//! records in its header; when the digest matches, nobody edited the file by hand since umctl
//! checked every object on its way in, so the load skips the contract checks and keeps each
//! record as text, parsed the first time something reads the object. Only the DN and the
//! indexed values of each record are read up front (on every core). A file whose digest does
//! not match (a hand edit, an older umctl) is loaded with the full checks instead.

use std::ops::Range;
use std::sync::Arc;

use base64::Engine;

use crate::directory::lab::forest::{
    index_key, indexed, Forest, IndexKeys, RawRecord, CLASS_INDEX,
};
use crate::directory::model::attrs::OBJECT_CLASS;
use crate::directory::{DirectoryError, Dn, Result};

/// The header line that carries the digest: `# umctl content digest <16 hex digits>`.
pub const DIGEST_PREFIX: &str = "# umctl content digest ";

/// The digest of the record part of a forest file (everything from `version: 1` on). Not
/// cryptographic: it tells umctl's own saves from hand edits, not from an attacker (who could
/// edit the lab folder anyway).
pub fn digest(body: &[u8]) -> String {
    let mut digester = Digester::new(body.len() as u64);
    digester.update(body);
    digester.finish()
}

/// [`digest`] over records read in pieces: the same result for the same bytes, however they
/// are cut.
pub struct Digester {
    h: u64,
    carry: [u8; 8],
    carried: usize,
}

impl Digester {
    // FxHash-style word hashing, written out: it runs over the whole file on every open, so
    // it must cost well under a millisecond per megabyte.
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    /// A digest of records `len` bytes long (the length is part of the digest).
    pub fn new(len: u64) -> Digester {
        Digester {
            h: len,
            carry: [0; 8],
            carried: 0,
        }
    }

    fn word(&mut self, word: u64) {
        self.h = (self.h.rotate_left(26) ^ word).wrapping_mul(Self::K);
    }

    pub fn update(&mut self, mut data: &[u8]) {
        if self.carried > 0 {
            let take = (8 - self.carried).min(data.len());
            self.carry[self.carried..self.carried + take].copy_from_slice(&data[..take]);
            self.carried += take;
            data = &data[take..];
            if self.carried < 8 {
                return;
            }
            self.word(u64::from_le_bytes(self.carry));
            self.carried = 0;
        }
        let mut words = data.chunks_exact(8);
        for w in &mut words {
            self.word(u64::from_le_bytes([
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
            ]));
        }
        let rest = words.remainder();
        self.carry[..rest.len()].copy_from_slice(rest);
        self.carried = rest.len();
    }

    pub fn finish(mut self) -> String {
        for i in 0..self.carried {
            let b = self.carry[i];
            self.word(u64::from(b));
        }
        format!("{:016x}", self.h)
    }
}

/// A forest file umctl saved, checked by [`check_file`].
pub struct CheckedFile {
    /// Where the records start.
    pub start: usize,
    /// The digest of the records (the one the header claims).
    pub digest: String,
    pub generation: u64,
    /// The file's length, as read.
    pub len: u64,
}

/// Reads the open forest file through once, in pieces (no copy of it is kept), and tells
/// whether umctl saved it: its header's digest is the digest of its records. `None` for a
/// hand-edited or foreign file.
pub fn check_file(file: &mut std::fs::File) -> std::io::Result<Option<CheckedFile>> {
    use std::io::{Read, Seek};
    const PIECE: usize = 1 << 20;
    file.seek(std::io::SeekFrom::Start(0))?;
    let len = file.metadata()?.len();
    let mut buf = vec![0u8; PIECE];
    let mut filled = 0;
    while filled < PIECE {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    let Some((start, claimed)) = header(&buf[..filled]) else {
        return Ok(None);
    };
    // A header that does not end within the first piece is not one umctl wrote.
    if start >= filled && (filled as u64) < len {
        return Ok(None);
    }
    let claimed = claimed.to_string();
    let generation = super::store::parse_generation(&buf[..filled]).unwrap_or(0);
    let mut digester = Digester::new(len.saturating_sub(start as u64));
    digester.update(&buf[start..filled]);
    let mut total = filled as u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        digester.update(&buf[..n]);
        total += n as u64;
    }
    let digest = digester.finish();
    // A file that changed length while being read is not the one its header describes.
    Ok((total == len && digest == claimed).then_some(CheckedFile {
        start,
        digest,
        generation,
        len,
    }))
}

/// Where the records start and the digest the header claims for them.
pub(crate) fn header(bytes: &[u8]) -> Option<(usize, &str)> {
    let mut claimed = None;
    let mut offset = 0;
    for line in bytes.split(|b| *b == b'\n') {
        if !line.starts_with(b"#") {
            break;
        }
        if let Some(rest) = line.strip_prefix(DIGEST_PREFIX.as_bytes()) {
            claimed = std::str::from_utf8(rest).ok().map(str::trim);
        }
        offset += line.len() + 1;
    }
    claimed.map(|c| (offset.min(bytes.len()), c))
}

/// Where the records of `bytes` start and their digest, if `bytes` is a file umctl saved
/// (the digest its header claims is the digest of its records); `None` otherwise.
pub fn trusted(bytes: &[u8]) -> Option<(usize, String)> {
    let (start, claimed) = header(bytes)?;
    let actual = digest(&bytes[start..]);
    (actual == claimed).then_some((start, actual))
}

/// The forest, if `bytes` is a file umctl saved (its digest matches); `None` otherwise.
pub fn load(bytes: Arc<[u8]>) -> Option<Result<Forest>> {
    let (start, _) = trusted(&bytes)?;
    Some(build(bytes.clone(), start))
}

/// The trusted forest from `bytes`, whose records start at `start` (checked by [`trusted`]).
pub fn load_trusted(bytes: Arc<[u8]>, start: usize) -> Result<Forest> {
    build(bytes, start)
}

/// Every record of `body` (the records of a trusted file, at byte `start` of the file), in
/// file order, scanned on every core: its normalized DN, where its text is in the file, and its
/// index keys; with `classes`, the objectClass values too (the on-disk index keeps them, the
/// in-memory forest does not).
pub(crate) fn scan_all(body: &[u8], start: usize, classes: bool) -> Result<Vec<Scanned>> {
    let pieces = pieces(body, start);
    let scanned = super::on_every_core(&pieces, "forest.ldif", |(piece, offset)| {
        scan(piece, *offset, classes)
    });
    let mut all = Vec::with_capacity(scanned.iter().map(|p| p.as_ref().map_or(0, Vec::len)).sum());
    for piece in scanned {
        all.extend(piece?);
    }
    Ok(all)
}

/// The record part of a file cut into a piece per core, each with its byte offset in the file.
fn pieces(body: &[u8], start: usize) -> Vec<(&[u8], usize)> {
    super::split_for_cores(body)
        .iter()
        .map(|(piece, _)| {
            (
                *piece,
                piece.as_ptr() as usize - body.as_ptr() as usize + start,
            )
        })
        .collect()
}

/// One record found by the scan: its DN, where its text is, its index keys.
/// (normalized DN, the DN when it had to be parsed, record range, index keys).
pub(crate) type Scanned = (Box<str>, Option<Dn>, Range<usize>, IndexKeys);

fn build(bytes: Arc<[u8]>, start: usize) -> Result<Forest> {
    // Each piece with its byte offset in the file (record ranges point into the file).
    let pieces = pieces(&bytes[start..], start);
    let scanned = super::on_every_core(&pieces, "forest.ldif", |(piece, offset)| {
        scan(piece, *offset, false)
    });
    let count = scanned.iter().map(|p| p.as_ref().map_or(0, Vec::len)).sum();
    let mut forest = Forest::with_capacity(count);
    for piece in scanned {
        for (key, dn, range, keys) in piece? {
            let raw = RawRecord {
                text: bytes.clone(),
                range,
            };
            forest.add_raw(key, dn, raw, keys)?;
        }
    }
    Ok(forest)
}

/// Reads the DN and the indexed values of every record in `piece` (at `offset` in the file),
/// in one pass over its lines. umctl writes one attribute per line, unfolded.
fn scan(piece: &[u8], offset: usize, classes: bool) -> Result<Vec<Scanned>> {
    let mut out = Vec::new();
    let mut record_start = None;
    let mut dn: Option<(Box<str>, Option<Dn>)> = None;
    let mut keys = IndexKeys::new();
    let mut pos = 0;
    while pos <= piece.len() {
        let end = piece[pos..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(piece.len(), |i| pos + i);
        let line = &piece[pos..end];
        if line.is_empty() {
            if let (Some(start), Some((key, d))) = (record_start.take(), dn.take()) {
                out.push((
                    key,
                    d,
                    offset + start..offset + pos,
                    std::mem::take(&mut keys),
                ));
            }
        } else if !line.starts_with(b"#") {
            if record_start.is_none() && line.starts_with(b"dn") {
                record_start = Some(pos);
            }
            if record_start.is_some() {
                read_line(line, &mut dn, &mut keys, offset + pos, classes)?;
            }
        }
        if end == piece.len() {
            break;
        }
        pos = end + 1;
    }
    if let (Some(start), Some((key, d))) = (record_start, dn) {
        out.push((key, d, offset + start..offset + piece.len(), keys));
    }
    Ok(out)
}

/// One `name: value` (or `name:: base64`) line: the DN, or an indexed value.
fn read_line(
    line: &[u8],
    dn: &mut Option<(Box<str>, Option<Dn>)>,
    keys: &mut IndexKeys,
    at: usize,
    classes: bool,
) -> Result<()> {
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return Ok(());
    };
    let name = std::str::from_utf8(&line[..colon]).unwrap_or_default();
    let is_dn = dn.is_none() && name.eq_ignore_ascii_case("dn");
    let index = match is_dn {
        true => None,
        false if classes && name.eq_ignore_ascii_case(OBJECT_CLASS) => Some(CLASS_INDEX),
        false => indexed(name),
    };
    if !is_dn && index.is_none() {
        return Ok(());
    }
    let value = line_value(&line[colon + 1..], at)?;
    if is_dn {
        *dn = Some(dn_key(&String::from_utf8_lossy(&value))?);
    } else if let (Some(index), Some(key)) = (index, index_key(&value)) {
        keys.push((index, key));
    }
    Ok(())
}

/// The value of a line after its `name:`: base64 after `::`, else the text after one space.
fn line_value(rest: &[u8], at: usize) -> Result<Vec<u8>> {
    match rest.strip_prefix(b":") {
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64.trim_ascii())
            .map_err(|_| DirectoryError::Lab {
                path: "forest.ldif".into(),
                message: format!("bad base64 at byte {at}"),
            }),
        None => Ok(rest.strip_prefix(b" ").unwrap_or(rest).to_vec()),
    }
}

/// The objectClass index keys of one record umctl wrote (as [`scan_all`] reads them with
/// `classes`), without reading its other values.
pub(crate) fn record_classes(record: &[u8]) -> Result<Vec<Box<str>>> {
    let mut classes = Vec::new();
    let mut at = 0;
    for line in record.split(|b| *b == b'\n') {
        let name_len = OBJECT_CLASS.len();
        let is_class = line.len() > name_len
            && line[name_len] == b':'
            && line[..name_len].eq_ignore_ascii_case(OBJECT_CLASS.as_bytes());
        if is_class {
            let value = line_value(&line[name_len + 1..], at)?;
            classes.extend(index_key(&value));
        }
        at += line.len() + 1;
    }
    Ok(classes)
}

/// The normalized key of a DN umctl wrote. A plain DN (printable ASCII, no escapes, no
/// multi-valued RDN, no spaces at value edges) is written exactly as its normalized form but
/// for case, so lowercasing it is enough; anything else is parsed.
fn dn_key(text: &str) -> Result<(Box<str>, Option<Dn>)> {
    let plain = !text.is_empty()
        && text.bytes().all(|b| {
            (0x20..0x7f).contains(&b)
                && !matches!(b, b'\\' | b'+' | b'"' | b';' | b'<' | b'>' | b'#')
        })
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains(" ,")
        && !text.contains(", ")
        && !text.contains(" =")
        && !text.contains("= ");
    if plain {
        return Ok((text.to_ascii_lowercase().into_boxed_str(), None));
    }
    let dn = Dn::parse(text)?;
    Ok((dn.norm().into(), Some(dn)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_dns_lowercase_to_their_normalized_key() {
        for text in [
            "CN=User 000123,OU=Bench Users,DC=contoso,DC=com",
            "CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com",
            "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com",
            "CN={1bf6208d-2847-45d0-828f-636f14da858b},OU=ExUmContacts,DC=contoso,DC=com",
            "CN=a=b,DC=x",
        ] {
            let (key, parsed) = dn_key(text).unwrap();
            assert!(parsed.is_none(), "{text} is plain");
            assert_eq!(&*key, Dn::parse(text).unwrap().norm(), "{text}");
        }
        for text in [
            "CN=Smith\\, John,DC=x",
            "CN=a+SN=b,DC=x",
            "CN=Jörg,DC=x",
            "CN=\\#1,DC=x",
        ] {
            let (key, parsed) = dn_key(text).unwrap();
            assert!(parsed.is_some(), "{text} is parsed");
            assert_eq!(&*key, Dn::parse(text).unwrap().norm(), "{text}");
        }
    }

    #[test]
    fn the_digest_does_not_depend_on_how_the_records_are_cut() {
        let body: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in [0, 1, 7, 8, 9, 100, 1000] {
            let whole = digest(&body[..len]);
            for cut in [1, 3, 8, 13, 64] {
                let mut d = Digester::new(len as u64);
                body[..len].chunks(cut).for_each(|c| d.update(c));
                assert_eq!(d.finish(), whole, "{len} bytes in pieces of {cut}");
            }
        }
        assert_ne!(digest(b"abcdefgh"), digest(b"abcdefgi"));
    }

    #[test]
    fn a_checked_file_is_the_trusted_one() {
        let body = b"version: 1\n\ndn: DC=example,DC=com\nobjectClass: domain\n";
        let header = format!(
            "# umctl lab forest, generation 3\n{DIGEST_PREFIX}{}\n",
            digest(body)
        );
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, header.as_bytes()).unwrap();
        std::io::Write::write_all(&mut file, body).unwrap();
        let checked = check_file(&mut file).unwrap().unwrap();
        assert_eq!(checked.start, header.len());
        assert_eq!(checked.generation, 3);
        assert_eq!(checked.digest, digest(body));
        std::io::Write::write_all(&mut file, b"cn: x\n").unwrap();
        assert!(check_file(&mut file).unwrap().is_none(), "an appended line");
    }

    #[test]
    fn a_hand_edit_is_not_trusted() {
        let body = b"version: 1\n\ndn: DC=example,DC=com\nobjectClass: domain\n";
        let mut file = format!(
            "# umctl lab forest, generation 3\n{DIGEST_PREFIX}{}\n",
            digest(body)
        )
        .into_bytes();
        file.extend_from_slice(body);
        assert!(load(Arc::from(file.clone())).is_some());
        let edited: Vec<u8> = String::from_utf8(file)
            .unwrap()
            .replace("domain", "domainX")
            .into_bytes();
        assert!(load(Arc::from(edited)).is_none());
        assert!(
            load(Arc::from(&body[..])).is_none(),
            "no digest line, no trust"
        );
    }
}
