use std::io;
#[cfg(feature = "gssapi")]
use std::sync::RwLock;
#[cfg(feature = "gssapi")]
use std::sync::{Arc, Mutex};

use crate::RequestId;
use crate::controls::{Control, RawControl};
use crate::controls_impl::{build_tag, parse_controls};
use crate::search::SearchItem;

use lber::common::TagClass;
use lber::parse::parse_uint;
use lber::structure::{PL, StructureTag};
use lber::structures::{ASNTag, Integer, Sequence, Tag};
use lber::universal::Types;
use lber::write;

use bytes::{Buf, BytesMut};
#[cfg(feature = "gssapi")]
use cross_krb5::{ClientCtx, K5Ctx};
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::{Decoder, Encoder};

pub(crate) struct LdapCodec {
    /// Unwrapped bytes of the SASL security layer not yet decoded (umctl fix).
    #[cfg(feature = "gssapi")]
    pub(crate) sasl_plain: BytesMut,
    #[cfg(feature = "gssapi")]
    pub(crate) sasl_param: Arc<RwLock<(bool, u32)>>, // sasl_wrap, sasl_max_send
    #[cfg(feature = "gssapi")]
    pub(crate) client_ctx: Arc<Mutex<Option<ClientCtx>>>,
}

pub(crate) type MaybeControls = Option<Vec<RawControl>>;
pub(crate) type ItemSender = mpsc::UnboundedSender<(SearchItem, Vec<Control>)>;
pub(crate) type ResultSender = oneshot::Sender<(Tag, Vec<Control>)>;

#[derive(Debug)]
pub enum MiscSender {
    #[cfg(any(feature = "tls-native", feature = "tls-rustls"))]
    Cert(oneshot::Sender<Option<Vec<u8>>>),
}

#[derive(Debug)]
pub enum LdapOp {
    Single,
    Search(ItemSender),
    Abandon(RequestId),
    Unbind,
}

#[allow(clippy::type_complexity)]
fn decode_inner(buf: &mut BytesMut) -> Result<Option<(RequestId, (Tag, Vec<Control>))>, io::Error> {
    let decoding_error = io::Error::new(io::ErrorKind::Other, "decoding error");
    let mut parser = lber::Parser::new();
    let binding = parser.parse(buf);
    let (i, tag) = match binding {
        Err(e) if e.is_incomplete() => return Ok(None),
        Err(_e) => return Err(decoding_error),
        Ok((i, ref tag)) => (i, tag),
    };
    buf.advance(buf.len() - i.len());
    let tag = tag.clone();
    let mut tags = match tag
        .match_id(Types::Sequence as u64)
        .and_then(|t| t.expect_constructed())
    {
        Some(tags) => tags,
        None => return Err(decoding_error),
    };
    let mut maybe_controls = tags.pop().expect("element");
    let has_controls = match maybe_controls {
        StructureTag {
            id,
            class,
            ref payload,
        } if class == TagClass::Context && id == 0 => match *payload {
            PL::C(_) => true,
            PL::P(_) => return Err(decoding_error),
        },
        StructureTag { id, class, .. } if class == TagClass::Context && id == 10 => {
            // Active Directory bug workaround
            //
            // AD incorrectly encodes Notice of Disconnection messages. The OID of the
            // Unsolicited Notification should be part of the ExtendedResponse sequence
            // but AD puts it outside, where the optional controls belong. This confuses
            // our parser, which doesn't expect the extra sequence element at the end
            // and crashes. This match arm thus ignores the element.
            maybe_controls = tags.pop().expect("element");
            false
        }
        _ => false,
    };
    let (protoop, controls) = if has_controls {
        (tags.pop().expect("element"), Some(maybe_controls))
    } else {
        (maybe_controls, None)
    };
    let controls = match controls {
        Some(controls) => parse_controls(controls),
        None => vec![],
    };
    let msgid = match parse_uint(
        tags.pop()
            .expect("element")
            .match_class(TagClass::Universal)
            .and_then(|t| t.match_id(Types::Integer as u64))
            .and_then(|t| t.expect_primitive())
            .expect("message id")
            .as_slice(),
    ) {
        Ok((_, id)) => id as i32,
        _ => return Err(decoding_error),
    };
    Ok(Some((msgid, (Tag::StructureTag(protoop), controls))))
}

impl Decoder for LdapCodec {
    type Item = (RequestId, (Tag, Vec<Control>));
    type Error = io::Error;

    #[cfg(not(feature = "gssapi"))]
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        decode_inner(buf)
    }

    #[cfg(feature = "gssapi")]
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        let sasl_wrap = { self.sasl_param.read().expect("sasl param").0 };
        if !sasl_wrap {
            return decode_inner(buf);
        }
        let client_ctx = self.client_ctx.clone();
        sasl_decode(&mut self.sasl_plain, buf, |len, packet| {
            let client_opt = &mut *client_ctx.lock().expect("client ctx lock");
            let client_ctx = client_opt.as_mut().expect("client Option mut ref");
            client_ctx.unwrap_iov(len, packet).map_err(|e| {
                io::Error::new(io::ErrorKind::Other, format!("gss_unwrap error: {:#}", e))
            })
        })
    }
}

/// umctl fix (see vendor/ldap3/UPSTREAM.md): the SASL security layer's receive side.
///
/// `buf` holds what came off the wire: 4-byte big-endian lengths, each followed by one
/// wrapped packet. `plain` holds unwrapped bytes not yet decoded into an LDAP message. A
/// message is decoded from `plain` first; only when it holds no complete message is the next
/// whole packet unwrapped and appended, so that a read ending inside a length prefix or a
/// packet waits for more bytes, several packets in one read are all used, and a message
/// spanning packets is joined. `unwrap(len, buf)` removes `len` bytes from the front of `buf`
/// and returns them unwrapped.
#[cfg(any(feature = "gssapi", test))]
#[allow(clippy::type_complexity)]
fn sasl_decode(
    plain: &mut BytesMut,
    buf: &mut BytesMut,
    mut unwrap: impl FnMut(usize, &mut BytesMut) -> io::Result<BytesMut>,
) -> Result<Option<(RequestId, (Tag, Vec<Control>))>, io::Error> {
    const U32_SIZE: usize = std::mem::size_of::<u32>();
    loop {
        if let Some(item) = decode_inner(plain)? {
            return Ok(Some(item));
        }
        if buf.len() < U32_SIZE {
            return Ok(None);
        }
        let sasl_len = u32::from_be_bytes(buf[0..U32_SIZE].try_into().unwrap()) as usize;
        if buf.len() - U32_SIZE < sasl_len {
            buf.reserve(U32_SIZE + sasl_len - buf.len());
            return Ok(None);
        }
        buf.advance(U32_SIZE);
        let decoded = unwrap(sasl_len, buf)?;
        plain.extend_from_slice(&decoded);
    }
}

#[cfg(not(feature = "gssapi"))]
#[inline]
fn maybe_wrap(
    _codec: &mut LdapCodec,
    outstruct: StructureTag,
    into: &mut BytesMut,
) -> io::Result<()> {
    write::encode_into(into, outstruct)?;
    Ok(())
}

#[cfg(feature = "gssapi")]
fn maybe_wrap(
    codec: &mut LdapCodec,
    outstruct: StructureTag,
    into: &mut BytesMut,
) -> io::Result<()> {
    let mut out_buf = BytesMut::new();
    write::encode_into(&mut out_buf, outstruct)?;
    let (sasl_wrap, sasl_send_max) = {
        let sasl_param = codec.sasl_param.read().expect("sasl param");
        (sasl_param.0, sasl_param.1)
    };
    if sasl_wrap {
        let client_opt = &mut *codec.client_ctx.lock().expect("client_ctx lock");
        let client_ctx = client_opt.as_mut().expect("client Option mut ref");
        if sasl_send_max > 0 && out_buf.len() > sasl_send_max as usize {
            return Err(io::Error::new(
                io::ErrorKind::Other,
                format!(
                    "buffer too large for GSSAPI: {} > {}",
                    out_buf.len(),
                    sasl_send_max
                ),
            ));
        }
        let sasl_buf = client_ctx.wrap(true, &out_buf).map_err(|e| {
            io::Error::new(io::ErrorKind::Other, format!("gss_wrap error: {:#}", e))
        })?;
        let sasl_len = (sasl_buf.len() as u32).to_be_bytes();
        into.extend(&sasl_len);
        into.extend(&*sasl_buf);
    } else {
        into.extend(&out_buf);
    }
    Ok(())
}

impl Encoder<(RequestId, Tag, MaybeControls)> for LdapCodec {
    type Error = io::Error;

    fn encode(
        &mut self,
        msg: (RequestId, Tag, MaybeControls),
        into: &mut BytesMut,
    ) -> io::Result<()> {
        let (id, tag, controls) = msg;
        let outstruct = {
            let mut msg = vec![
                Tag::Integer(Integer {
                    inner: id as i64,
                    ..Default::default()
                }),
                tag,
            ];
            if let Some(controls) = controls {
                msg.push(Tag::StructureTag(StructureTag {
                    id: 0,
                    class: TagClass::Context,
                    payload: PL::C(controls.into_iter().map(build_tag).collect()),
                }));
            }
            Tag::Sequence(Sequence {
                inner: msg,
                ..Default::default()
            })
            .into_structure()
        };
        maybe_wrap(self, outstruct, into)?;
        Ok(())
    }
}

/// umctl fix (see vendor/ldap3/UPSTREAM.md): the three ways sealed packets and LDAP messages
/// can fall across reads. The "security layer" here inverts every byte, so a packet that is
/// not unwrapped, or unwrapped twice, does not decode.
#[cfg(test)]
mod sasl_tests {
    use super::*;

    /// An LDAP message (a bind response with result code 0) with message ID `id`.
    fn message(id: i64) -> Vec<u8> {
        let response = Tag::Sequence(Sequence {
            id: 1,
            class: TagClass::Application,
            inner: vec![
                Tag::Enumerated(lber::structures::Enumerated {
                    inner: 0,
                    ..Default::default()
                }),
                Tag::OctetString(lber::structures::OctetString::default()),
                Tag::OctetString(lber::structures::OctetString::default()),
            ],
        });
        let msg = Tag::Sequence(Sequence {
            inner: vec![
                Tag::Integer(Integer {
                    inner: id,
                    ..Default::default()
                }),
                response,
            ],
            ..Default::default()
        });
        let mut out = BytesMut::new();
        write::encode_into(&mut out, msg.into_structure()).unwrap();
        out.to_vec()
    }

    /// One packet of the security layer: the length, then the "wrapped" bytes.
    fn packet(plain: &[u8]) -> Vec<u8> {
        let mut out = (plain.len() as u32).to_be_bytes().to_vec();
        out.extend(plain.iter().map(|b| !b));
        out
    }

    fn unwrap(len: usize, buf: &mut BytesMut) -> io::Result<BytesMut> {
        let packet = buf.split_to(len);
        Ok(packet.iter().map(|b| !b).collect::<Vec<u8>>()[..].into())
    }

    /// Decodes everything `buf` and `plain` hold and returns the message IDs.
    fn ids(plain: &mut BytesMut, buf: &mut BytesMut) -> Vec<RequestId> {
        let mut out = Vec::new();
        while let Some((id, _)) = sasl_decode(plain, buf, unwrap).unwrap() {
            out.push(id);
        }
        out
    }

    #[test]
    fn a_read_that_ends_inside_the_length_prefix_waits_for_more() {
        let wire = packet(&message(7));
        let (mut plain, mut buf) = (BytesMut::new(), BytesMut::from(&wire[..2]));
        assert_eq!(ids(&mut plain, &mut buf), Vec::<RequestId>::new());
        assert_eq!(&buf[..], &wire[..2], "nothing consumed");
        buf.extend_from_slice(&wire[2..6]);
        assert_eq!(ids(&mut plain, &mut buf), Vec::<RequestId>::new());
        buf.extend_from_slice(&wire[6..]);
        assert_eq!(ids(&mut plain, &mut buf), vec![7]);
        assert!(buf.is_empty() && plain.is_empty());
    }

    #[test]
    fn two_packets_in_one_read_are_both_used_with_their_leftovers() {
        let (m1, m2, m3) = (message(1), message(2), message(3));
        let half = m2.len() / 2;
        let first: Vec<u8> = [&m1[..], &m2[..half]].concat();
        let second: Vec<u8> = [&m2[half..], &m3[..]].concat();
        let mut wire = packet(&first);
        wire.extend(packet(&second));
        wire.extend(packet(&message(4)));
        let (mut plain, mut buf) = (BytesMut::new(), BytesMut::from(&wire[..]));
        assert_eq!(ids(&mut plain, &mut buf), vec![1, 2, 3, 4]);
        assert!(buf.is_empty() && plain.is_empty());
    }

    #[test]
    fn one_message_across_packets_and_reads_is_joined() {
        let m = message(9);
        let mut plain = BytesMut::new();
        let mut buf = BytesMut::new();
        let mut seen = Vec::new();
        for part in m.chunks(5) {
            let wire = packet(part);
            // each packet arrives in two reads, split inside its payload
            buf.extend_from_slice(&wire[..wire.len() - 1]);
            seen.extend(ids(&mut plain, &mut buf));
            buf.extend_from_slice(&wire[wire.len() - 1..]);
            seen.extend(ids(&mut plain, &mut buf));
        }
        assert_eq!(seen, vec![9]);
        assert!(buf.is_empty() && plain.is_empty());
    }
}
