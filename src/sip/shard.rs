//! Which shard of an endpoint a message belongs to: a hash of its Call-ID, read from the raw
//! bytes before any parsing, so a transport's receive task can hand a message straight to the
//! shard that owns its call. A dialog, its server transactions (INVITE, its retransmissions,
//! ACK, CANCEL, BYE) and the client transactions an endpoint starts all share one Call-ID, so
//! they meet on one shard; requests an endpoint sends route by the same hash of the Call-ID
//! they carry ([`shard_of_call_id`]). The scan knows the compact form (`i:`), any case, space
//! before the colon and folded values; whitespace inside the value is not hashed, so a value
//! folded or spaced differently by a peer still lands on the same shard. A message without a
//! Call-ID in its header section (keep-alives, garbage) goes to shard 0, which answers or
//! drops it as a single endpoint would.

/// The shard (`0..shards`) for a message's raw bytes (a datagram or one framed message).
pub fn shard_of(bytes: &[u8], shards: usize) -> usize {
    match call_id_hash(bytes) {
        Some(h) if shards > 1 => bucket(h, shards),
        _ => 0,
    }
}

/// The shard for a Call-ID value (a request the endpoint sends itself).
pub fn shard_of_call_id(call_id: &str, shards: usize) -> usize {
    if shards <= 1 {
        return 0;
    }
    let mut h = Fnv::new();
    h.write(call_id.as_bytes());
    bucket(h.0, shards)
}

fn bucket(hash: u64, shards: usize) -> usize {
    // Lossless: shards is a usize, so the remainder fits one.
    usize::try_from(hash % shards as u64).unwrap_or(0)
}

/// FNV-1a over the value's bytes, skipping whitespace (SP, HT, CR, LF).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
}

/// The hash of the first Call-ID header's value (with its folded continuation lines), or
/// `None` when the header section has none.
fn call_id_hash(bytes: &[u8]) -> Option<u64> {
    let lines = bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .skip_while(|l| l.is_empty())
        .skip(1); // the start line
    let mut found: Option<Fnv> = None;
    for line in lines {
        let folded = line.first().is_some_and(|b| matches!(b, b' ' | b'\t'));
        match (&mut found, folded) {
            (Some(h), true) => h.write(line),
            (Some(_), false) => break,
            (None, _) if line.is_empty() => break,
            (None, true) => {}
            (None, false) => {
                found = call_id_value(line).map(|v| {
                    let mut h = Fnv::new();
                    h.write(v);
                    h
                })
            }
        }
    }
    found.map(|h| h.0)
}

/// The value of a header line when its name is Call-ID (or `i`, any case).
fn call_id_value(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|b| *b == b':')?;
    let (name, rest) = line.split_at(colon);
    let name = name.trim_ascii_end();
    let is_call_id = name.eq_ignore_ascii_case(b"call-id") || name.eq_ignore_ascii_case(b"i");
    is_call_id.then(|| rest.get(1..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: usize = 7;

    fn msg(call_id_lines: &str) -> Vec<u8> {
        format!(
            "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
             Call-Info: <http://x>\r\n{call_id_lines}\r\nCSeq: 1 INVITE\r\n\r\nCall-ID: body"
        )
        .into_bytes()
    }

    #[test]
    fn every_spelling_of_one_call_id_lands_on_the_shard_of_its_value() {
        // Several values so that a scan that hashed the wrong header would be caught.
        for value in [
            "a84b4c76e66710@pc33",
            "x",
            "3848276298220188511@atlanta.example.com",
        ] {
            let want = shard_of_call_id(value, N);
            for line in [
                format!("Call-ID: {value}"),
                format!("call-id:{value}"),
                format!("CALL-ID   :   {value}  "),
                format!("i: {value}"),
                format!("I:{value}"),
                format!("Call-ID:\r\n {value}"),
                format!("Call-ID: {}\r\n\t{}", &value[..1], &value[1..]),
            ] {
                assert_eq!(shard_of(&msg(&line), N), want, "{line:?}");
            }
        }
    }

    #[test]
    fn the_values_spread_over_the_shards() {
        let mut seen = [0usize; N];
        for n in 0..700 {
            let s = shard_of(&msg(&format!("Call-ID: call{n}@host")), N);
            seen[s] += 1;
        }
        assert!(seen.iter().all(|c| *c > 50), "{seen:?}");
    }

    #[test]
    fn a_message_without_a_call_id_goes_to_shard_0() {
        let no_call_id =
            b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nCall-Info: y\r\n\r\nCall-ID: in-body";
        assert_eq!(call_id_hash(no_call_id), None);
        assert_eq!(shard_of(no_call_id, N), 0);
        assert_eq!(shard_of(b"\r\n\r\n", N), 0);
        assert_eq!(shard_of(b"", N), 0);
        // The start line is never a header, even when it looks like one.
        assert_eq!(call_id_hash(b"i: x SIP/2.0\r\nVia: y\r\n\r\n"), None);
        // One shard: everything on it.
        assert_eq!(shard_of(&msg("Call-ID: z"), 1), 0);
        assert_eq!(shard_of_call_id("z", 0), 0);
    }

    #[test]
    fn responses_bare_line_feeds_and_leading_blank_lines_are_read_too() {
        let want = shard_of_call_id("c1@h", N);
        let response = b"SIP/2.0 200 OK\r\nVia: v\r\nCall-ID: c1@h\r\n\r\n";
        assert_eq!(shard_of(response, N), want);
        let lf = b"\r\n\r\nBYE sip:a@b SIP/2.0\nVia: v\ni: c1@h\n\n";
        assert_eq!(shard_of(lf, N), want);
        // The first Call-ID counts (a message with two is rejected by whichever shard gets it).
        let two = b"BYE sip:a@b SIP/2.0\r\nCall-ID: c1@h\r\nCall-ID: other\r\n\r\n";
        assert_eq!(shard_of(two, N), want);
    }
}
