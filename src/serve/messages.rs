//! What the worker delivers, built from a recording's [`CallInfo`] and handed to the one
//! [`Mailer`] serve was started with (`Arc<dyn Mailer>`: the lab Maildir by default; SMTP and
//! MWI plug in there): the voice message (the G.711 spool turned into a 16-bit PCM WAV
//! attachment), the missed-call notification, and at start the recordings a crashed run left,
//! delivered marked as interrupted. A spool file is removed only after the Mailer accepted
//! the message, so a recorded message is never lost.
//!
//! It does not record or play (`media_engine`, `recording`).

use std::path::Path;
use std::time::Duration;

use super::recording::{leftovers, CallInfo, RecordingError, Spooled};
use crate::mail::{DeliveryReceipt, MailAddress, MailError, Mailer, MissedCall, VoiceMessage};
use crate::media::wav;

/// The local part Exchange sends UM messages from (`MicrosoftExchange329e...@domain`).
pub const UM_SENDER_LOCAL: &str = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e";

/// Delivery problems: the spool or the mailer.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Recording(#[from] RecordingError),
    #[error("delivering the message of call {call_id}: {source}")]
    Mail { call_id: String, source: MailError },
}

/// The UM sender address in the called user's domain.
pub fn sender_for(to_address: &str) -> String {
    let domain = to_address.rsplit_once('@').map_or("localhost", |(_, d)| d);
    format!("{UM_SENDER_LOCAL}@{domain}")
}

fn to_user(info: &CallInfo) -> MailAddress {
    MailAddress {
        name: info.to_name.clone(),
        address: info.to_address.clone(),
    }
}

/// The voice message for `codes` (G.711 in the sidecar's law).
pub fn voice_message(info: &CallInfo, codes: &[u8], interrupted: bool) -> VoiceMessage {
    let samples = info.law().decode(codes);
    VoiceMessage {
        from_number: info.from_number.clone(),
        from_name: info.from_name.clone(),
        from_address: info.from_address.clone(),
        to_user: to_user(info),
        duration: Duration::from_millis(codes.len() as u64 / 8),
        call_id: info.call_id.clone(),
        received_at: info.received_at(),
        audio: wav::encode_pcm16(&samples),
        interrupted,
    }
}

/// The missed-call notification of a call.
pub fn missed_call(info: &CallInfo) -> MissedCall {
    MissedCall {
        from_number: info.from_number.clone(),
        from_name: info.from_name.clone(),
        from_address: info.from_address.clone(),
        to_user: to_user(info),
        call_id: info.call_id.clone(),
        received_at: info.received_at(),
    }
}

fn mail_err(info: &CallInfo) -> impl FnOnce(MailError) -> DeliveryError + '_ {
    move |source| DeliveryError::Mail {
        call_id: info.call_id.clone(),
        source,
    }
}

/// Delivers a missed-call notification.
pub fn deliver_missed_call(
    mailer: &dyn Mailer,
    info: &CallInfo,
) -> Result<DeliveryReceipt, DeliveryError> {
    let msg = missed_call(info)
        .render(&sender_for(&info.to_address))
        .map_err(mail_err(info))?;
    mailer.deliver(msg).map_err(mail_err(info))
}

/// Delivers a finished (or, with `interrupted`, a leftover) recording, then removes its spool
/// files. A recording without audio becomes a missed-call notification.
pub fn deliver_recording(
    mailer: &dyn Mailer,
    spooled: &Spooled,
    interrupted: bool,
) -> Result<DeliveryReceipt, DeliveryError> {
    let (info, codes) = spooled.read()?;
    let receipt = if codes.is_empty() {
        deliver_missed_call(mailer, &info)?
    } else {
        let msg = voice_message(&info, &codes, interrupted)
            .render(&sender_for(&info.to_address))
            .map_err(mail_err(&info))?;
        mailer.deliver(msg).map_err(mail_err(&info))?
    };
    spooled.remove()?;
    Ok(receipt)
}

/// One leftover recording and what delivering it did.
pub type Recovered = (
    Spooled,
    Option<(CallInfo, usize)>,
    Result<DeliveryReceipt, DeliveryError>,
);

/// Delivers every recording a previous run left in `dir`, marked as interrupted. Returns one
/// result per recording (a failure leaves its files for the next start).
pub fn recover(mailer: &dyn Mailer, dir: &Path) -> Result<Vec<Recovered>, DeliveryError> {
    Ok(leftovers(dir)?
        .into_iter()
        .map(|s| {
            // What the call was (for its record) before delivery removes the spool files.
            let call = s.read().ok().map(|(info, codes)| (info, codes.len()));
            let r = deliver_recording(mailer, &s, true);
            (s, call, r)
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::recording::Recorder;
    use super::*;
    use crate::mail::MaildirMailer;
    use std::time::Instant;

    fn info() -> CallInfo {
        CallInfo {
            call_id: "call-1@test".into(),
            from_number: "+15551234".into(),
            from_name: None,
            from_address: None,
            to_name: Some("Bob Haddad".into()),
            to_address: "bob@contoso.com".into(),
            received_unix_ms: 1_700_000_000_000,
            codec: "PCMU".into(),
        }
    }

    #[test]
    fn a_leftover_recording_is_delivered_interrupted_and_removed() {
        let spool = tempfile::tempdir().unwrap();
        let boxes = tempfile::tempdir().unwrap();
        let mailer = MaildirMailer::new(boxes.path());
        let mut r = Recorder::create(spool.path(), &info(), Instant::now()).unwrap();
        r.append(&[0xffu8; 16000]).unwrap();
        drop(r);
        let results = recover(&mailer, spool.path()).unwrap();
        assert_eq!(results.len(), 1);
        let Ok(DeliveryReceipt::Delivered { paths }) = &results[0].2 else {
            panic!("{:?}", results[0].2)
        };
        // What the call was, for its record (read before the spool files went).
        let (call, samples) = results[0].1.clone().unwrap();
        assert_eq!((call.call_id.as_str(), samples), ("call-1@test", 16000));
        let text = String::from_utf8_lossy(&std::fs::read(&paths[0]).unwrap()).into_owned();
        assert!(text.contains("X-Umctl-Interrupted: true"), "{text}");
        assert!(
            text.contains("Voice Mail from +15551234 (2 seconds)"),
            "{text}"
        );
        assert!(
            text.contains("From: <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com>")
                || text.contains("MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com")
        );
        assert!(recover(&mailer, spool.path()).unwrap().is_empty());
    }

    #[test]
    fn a_failed_delivery_keeps_the_spool() {
        struct Refuse;
        impl Mailer for Refuse {
            fn deliver(
                &self,
                msg: crate::mail::OutgoingMessage,
            ) -> Result<DeliveryReceipt, MailError> {
                Err(MailError::NoRecipients {
                    message_id: msg.message_id,
                })
            }
        }
        let spool = tempfile::tempdir().unwrap();
        let mut r = Recorder::create(spool.path(), &info(), Instant::now()).unwrap();
        r.append(&[0xffu8; 800]).unwrap();
        let s = r.finish(Instant::now()).unwrap();
        let err = deliver_recording(&Refuse, &s, false).unwrap_err();
        assert!(err.to_string().contains("call-1@test"), "{err}");
        assert!(s.part.exists() && s.sidecar.exists());
    }

    #[test]
    fn the_attachment_is_the_decoded_audio() {
        let codes: Vec<u8> = (0..=255u8).collect();
        let m = voice_message(&info(), &codes, false);
        assert_eq!(
            wav::decode_8k_mono(&m.audio).unwrap(),
            crate::media::Law::Mu.decode(&codes)
        );
        assert_eq!(m.duration, Duration::from_millis(32));
    }
}
