//! Cutting received bytes into single SIP messages, sans-IO. Owns the stream framer for TCP/TLS
//! (Content-Length framing, RFC 5626 CRLF keep-alives, size limits) and the datagram check for
//! UDP (RFC 3261 18.3). Does not own sockets (the transport feeds bytes in and writes pongs),
//! nor parsing (`message::parse_any` takes the bytes a frame yields).
//!
//! rsip 0.4 ignores Content-Length (its body is "everything after the blank line"), which merges
//! pipelined TCP messages; that is why framing is ours.

use super::normalize::{find_head_end, resume_offset};
use super::SipError;

/// Limits a peer cannot push us past. The defaults fit a UM endpoint: SDP offers and NOTIFY
/// bodies are a few KiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Start line + headers + body, in bytes.
    pub max_message_size: usize,
    /// Header fields (continuation lines do not count).
    pub max_headers: usize,
    /// Start line + header section, in bytes.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 64 * 1024,
            max_headers: 100,
            max_header_bytes: 16 * 1024,
        }
    }
}

/// What a stream framer yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// One complete message (leading keep-alive CRLFs removed), ready for `message::parse_any`.
    Message(Vec<u8>),
    /// RFC 5626 3.5.1 keep-alive ping (CRLF CRLF): the transport answers with one CRLF.
    Ping,
    /// A lone CRLF: an RFC 5626 pong (answer to our ping), or the CRLF RFC 3261 7.5 says to
    /// ignore before a start line. Never answered. Reported when the byte after it arrives
    /// (see [`Framer::pending_pong`]).
    Pong,
}

/// Stream framer for TCP/TLS. Feed bytes with [`Framer::push`], take frames with
/// [`Framer::next_frame`] until it returns `Ok(None)`. After an error the byte stream is out of
/// sync: the framer keeps returning that error and the transport should close the connection.
#[derive(Debug, Default)]
pub struct Framer {
    limits: Limits,
    buf: Vec<u8>,
    /// Where to resume searching for the blank line.
    scan_from: usize,
    /// Total length of the message at the front of `buf`, once its header section is known.
    need: Option<usize>,
    failed: Option<SipError>,
}

/// What the framing layer needs to know about a header section.
struct HeadInfo {
    fields: usize,
    content_length: Option<usize>,
}

/// Counts header fields and finds Content-Length (also compact `l`, any case, LWS before the
/// colon, folded value). Lenient about everything else: a malformed unrelated header is the
/// parser's business, not framing's.
fn scan_head(head: &[u8]) -> Result<HeadInfo, SipError> {
    let mut fields = 0usize;
    // (line number, value) of each Content-Length field, continuation lines appended.
    let mut lengths: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut in_cl = false;
    for (i, line) in head.split(|&b| b == b'\n').enumerate().skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if let (true, Some((_, v))) = (in_cl, lengths.last_mut()) {
                v.push(b' ');
                v.extend_from_slice(line);
            }
            continue;
        }
        fields += 1;
        in_cl = false;
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = line.get(..colon).unwrap_or_default();
            let name = trim(name);
            if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
                in_cl = true;
                lengths.push((i + 1, line.get(colon + 1..).unwrap_or_default().to_vec()));
            }
        }
    }
    let mut content_length: Option<(usize, String)> = None;
    for (line, raw) in lengths {
        let text = String::from_utf8_lossy(trim(&raw)).into_owned();
        let value = parse_content_length(&text).ok_or_else(|| SipError::InvalidContentLength {
            value: text.clone(),
            line,
        })?;
        match &content_length {
            Some((first, first_text)) if *first != value => {
                return Err(SipError::ConflictingContentLength {
                    first: first_text.clone(),
                    second: text,
                })
            }
            Some(_) => {}
            None => content_length = Some((value, text)),
        }
    }
    Ok(HeadInfo {
        fields,
        content_length: content_length.map(|(v, _)| v),
    })
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// `1*DIGIT`, as usize (RFC 3261 20.14). Signs, spaces inside and overflow are rejected.
pub(crate) fn parse_content_length(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn check_head(head: &[u8], limits: &Limits) -> Result<HeadInfo, SipError> {
    if head.len() > limits.max_header_bytes {
        return Err(SipError::HeaderSectionTooLarge {
            size: head.len(),
            limit: limits.max_header_bytes,
        });
    }
    let info = scan_head(head)?;
    if info.fields > limits.max_headers {
        return Err(SipError::TooManyHeaders {
            count: info.fields,
            limit: limits.max_headers,
        });
    }
    Ok(info)
}

impl Framer {
    pub fn new(limits: Limits) -> Framer {
        Framer {
            limits,
            ..Framer::default()
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes buffered that do not yet form a complete frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// True when the buffer holds exactly one CRLF: a pong if nothing follows. It is reported
    /// as [`Frame::Pong`] only once the next byte shows it is not half of a ping; a client
    /// waiting for a pong checks this instead.
    pub fn pending_pong(&self) -> bool {
        self.buf == b"\r\n"
    }

    /// Call when the peer closed the stream: an incomplete message left over is an error.
    pub fn finish(&self) -> Result<(), SipError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.buf.iter().all(|&b| b == b'\r' || b == b'\n') {
            Ok(())
        } else {
            Err(SipError::TruncatedStream {
                buffered: self.buf.len(),
            })
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let rest = self.buf.split_off(n.min(self.buf.len()));
        self.scan_from = 0;
        self.need = None;
        std::mem::replace(&mut self.buf, rest)
    }

    fn fail(&mut self, err: SipError) -> Result<Option<Frame>, SipError> {
        self.failed = Some(err.clone());
        Err(err)
    }

    /// The next complete frame, `Ok(None)` if more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, SipError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if let Some(need) = self.need {
            return Ok((self.buf.len() >= need).then(|| Frame::Message(self.take(need))));
        }
        // Keep-alives and the CRLFs RFC 3261 7.5 says to ignore before a start line.
        loop {
            match self.buf.as_slice() {
                // A lone CRLF may be the first half of a ping: wait for the next byte.
                [] | [b'\r'] | [b'\r', b'\n'] | [b'\r', b'\n', b'\r'] => return Ok(None),
                [b'\r', b'\n', b'\r', b'\n', ..] => {
                    self.take(4);
                    return Ok(Some(Frame::Ping));
                }
                [b'\r', b'\n', ..] => {
                    self.take(2);
                    return Ok(Some(Frame::Pong));
                }
                // Lenient: a bare LF between messages is skipped silently.
                [b'\n', ..] => {
                    self.take(1);
                }
                _ => break,
            }
        }
        let Some((head_end, body_start)) = find_head_end(&self.buf, self.scan_from) else {
            if self.buf.len() > self.limits.max_header_bytes {
                let err = SipError::HeaderSectionTooLarge {
                    size: self.buf.len(),
                    limit: self.limits.max_header_bytes,
                };
                return self.fail(err);
            }
            self.scan_from = resume_offset(&self.buf);
            return Ok(None);
        };
        let head = self.buf.get(..head_end).unwrap_or_default();
        let info = match check_head(head, &self.limits) {
            Ok(info) => info,
            Err(err) => return self.fail(err),
        };
        let Some(length) = info.content_length else {
            return self.fail(SipError::MissingContentLength);
        };
        let total = body_start.saturating_add(length);
        if total > self.limits.max_message_size {
            return self.fail(SipError::MessageTooLarge {
                size: total,
                limit: self.limits.max_message_size,
            });
        }
        self.need = Some(total);
        Ok((self.buf.len() >= total).then(|| Frame::Message(self.take(total))))
    }
}

/// What one UDP datagram holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Datagram<'a> {
    /// Only CR/LF bytes (a keep-alive); nothing to answer.
    KeepAlive,
    /// The message, leading CRLFs removed and cut to Content-Length.
    Message(&'a [u8]),
}

/// Validates one UDP datagram (RFC 3261 18.3): a Content-Length larger than the body is an error
/// (answer 400 if you can), a smaller one truncates the body (the extra octets are discarded,
/// RFC 4475 `dblreq`), and without Content-Length the body is the rest of the datagram.
pub fn check_datagram<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Datagram<'a>, SipError> {
    if bytes.iter().all(|&b| b == b'\r' || b == b'\n') {
        return Ok(Datagram::KeepAlive);
    }
    if bytes.len() > limits.max_message_size {
        return Err(SipError::MessageTooLarge {
            size: bytes.len(),
            limit: limits.max_message_size,
        });
    }
    let lead = bytes
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    let msg = bytes.get(lead..).unwrap_or_default();
    let Some((head_end, body_start)) = find_head_end(msg, 0) else {
        return Err(SipError::UnterminatedHeaders { len: msg.len() });
    };
    let info = check_head(msg.get(..head_end).unwrap_or_default(), limits)?;
    let available = msg.len() - body_start;
    let end = match info.content_length {
        None => msg.len(),
        Some(declared) if declared > available => {
            return Err(SipError::BodyTruncated {
                declared,
                available,
            })
        }
        Some(declared) => body_start + declared,
    };
    Ok(Datagram::Message(msg.get(..end).unwrap_or(msg)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REQ: &[u8] = b"OPTIONS sip:a@b SIP/2.0\r\nl: 5\r\n\r\nhello";

    fn all_frames(f: &mut Framer) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some(frame) = f.next_frame().unwrap() {
            out.push(frame);
        }
        out
    }

    #[test]
    fn pipelined_messages_are_split_by_content_length() {
        let mut f = Framer::default();
        let mut two = REQ.to_vec();
        two.extend_from_slice(b"OPTIONS sip:c@d SIP/2.0\r\nContent-Length : 0\r\n\r\n");
        f.push(&two);
        let frames = all_frames(&mut f);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0], Frame::Message(REQ.to_vec()));
        assert_eq!(f.buffered(), 0);
        f.finish().unwrap();
    }

    #[test]
    fn byte_at_a_time_gives_the_same_frames() {
        let mut input = b"\r\n\r\n".to_vec();
        input.extend_from_slice(REQ);
        input.extend_from_slice(b"\r\n");
        input.extend_from_slice(REQ);
        let mut f = Framer::default();
        let mut frames = Vec::new();
        for b in &input {
            f.push(&[*b]);
            frames.extend(all_frames(&mut f));
        }
        assert_eq!(
            frames,
            vec![
                Frame::Ping,
                Frame::Message(REQ.to_vec()),
                Frame::Pong,
                Frame::Message(REQ.to_vec())
            ]
        );
    }

    #[test]
    fn folded_content_length_and_lf_only() {
        let mut f = Framer::default();
        f.push(b"OPTIONS sip:a@b SIP/2.0\nContent-Length:\n 2\n\nabX");
        assert_eq!(
            all_frames(&mut f),
            vec![Frame::Message(
                b"OPTIONS sip:a@b SIP/2.0\nContent-Length:\n 2\n\nab".to_vec()
            )]
        );
        assert_eq!(
            f.finish().unwrap_err(),
            SipError::TruncatedStream { buffered: 1 }
        );
    }

    #[test]
    fn stream_errors_name_the_problem() {
        type Check = fn(&SipError) -> bool;
        let cases: &[(&[u8], Check)] = &[
            (b"A sip:a SIP/2.0\r\nTo: x\r\n\r\n", |e| {
                *e == SipError::MissingContentLength
            }),
            (b"A sip:a SIP/2.0\r\nl: -1\r\n\r\n", |e| {
                matches!(e, SipError::InvalidContentLength { line: 2, .. })
            }),
            (
                b"A sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\n",
                |e| matches!(e, SipError::ConflictingContentLength { .. }),
            ),
            (b"A sip:a SIP/2.0\r\nl: 99999999\r\n\r\n", |e| {
                matches!(e, SipError::MessageTooLarge { .. })
            }),
            (
                b"A sip:a SIP/2.0\r\nl: 99999999999999999999999\r\n\r\n",
                |e| matches!(e, SipError::InvalidContentLength { .. }),
            ),
        ];
        for (input, check) in cases {
            let mut f = Framer::default();
            f.push(input);
            let err = f.next_frame().unwrap_err();
            assert!(check(&err), "{err}");
            assert!(err.is_framing());
            // Poisoned: the same error again.
            assert_eq!(f.next_frame().unwrap_err(), err);
        }
    }

    #[test]
    fn limits_are_enforced_and_named() {
        let limits = Limits {
            max_message_size: 100,
            max_headers: 2,
            max_header_bytes: 40,
        };
        let mut f = Framer::new(limits);
        f.push(b"A sip:a SIP/2.0\r\nX-Long: 0123456789012345678901234567890123456789");
        assert!(matches!(
            f.next_frame().unwrap_err(),
            SipError::HeaderSectionTooLarge { limit: 40, .. }
        ));
        let mut f = Framer::new(limits);
        f.push(b"A sip:a SIP/2.0\r\na: 1\r\nb: 2\r\nl: 0\r\n\r\n");
        assert_eq!(
            f.next_frame().unwrap_err(),
            SipError::TooManyHeaders { count: 3, limit: 2 }
        );
        assert!(check_datagram(&[b'x'; 101], &limits).is_err());
    }

    #[test]
    fn datagram_rules_of_rfc3261_18_3() {
        let l = Limits::default();
        assert_eq!(
            check_datagram(b"\r\n\r\n", &l).unwrap(),
            Datagram::KeepAlive
        );
        assert_eq!(
            check_datagram(b"A sip:a SIP/2.0\r\nl: 2\r\n\r\nabcd", &l).unwrap(),
            Datagram::Message(b"A sip:a SIP/2.0\r\nl: 2\r\n\r\nab")
        );
        assert_eq!(
            check_datagram(b"\r\nA sip:a SIP/2.0\r\n\r\nabcd", &l).unwrap(),
            Datagram::Message(b"A sip:a SIP/2.0\r\n\r\nabcd")
        );
        assert_eq!(
            check_datagram(b"A sip:a SIP/2.0\r\nl: 5\r\n\r\nabcd", &l).unwrap_err(),
            SipError::BodyTruncated {
                declared: 5,
                available: 4
            }
        );
        assert!(matches!(
            check_datagram(b"A sip:a SIP/2.0\r\nl: 5\r\n", &l).unwrap_err(),
            SipError::UnterminatedHeaders { .. }
        ));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512), cut in 0usize..512) {
            let mut f = Framer::new(Limits { max_message_size: 256, max_headers: 8, max_header_bytes: 128 });
            let cut = cut.min(data.len());
            f.push(&data[..cut]);
            for _ in 0..8 { if !matches!(f.next_frame(), Ok(Some(_))) { break; } }
            f.push(&data[cut..]);
            for _ in 0..64 { if !matches!(f.next_frame(), Ok(Some(_))) { break; } }
            let _ = f.finish();
            let _ = check_datagram(&data, &Limits::default());
        }

        #[test]
        fn any_split_point_gives_the_same_frames(cut in 0usize..80) {
            let mut whole = REQ.to_vec();
            whole.extend_from_slice(b"\r\n\r\n");
            whole.extend_from_slice(REQ);
            let cut = cut.min(whole.len());
            let mut f = Framer::default();
            f.push(&whole[..cut]);
            let mut frames = all_frames(&mut f);
            f.push(&whole[cut..]);
            frames.extend(all_frames(&mut f));
            prop_assert_eq!(frames, vec![Frame::Message(REQ.to_vec()), Frame::Ping, Frame::Message(REQ.to_vec())]);
        }
    }
}
