//! UM dial plans (`msExchUMDialPlan`, domain.md A.2 and B.3.2): URI type, extension length,
//! phone context, Outlook Voice Access numbers, security, codec and the call limits UM
//! enforces, with Exchange's defaults for absent values. It does not find a dial plan by
//! phone context or decide which servers serve it (`um::resolve`, `frontend`).

use serde::Serialize;

use super::{attrs, read, Dn, ModelError};
use crate::directory::entry::Entry;

/// `msExchUMDialPlanURIType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UriType {
    #[default]
    TelExtn,
    E164,
    SipName,
}

impl UriType {
    pub fn from_raw(v: i64) -> Option<UriType> {
        Some(match v {
            0 => UriType::TelExtn,
            1 => UriType::E164,
            2 => UriType::SipName,
            _ => return None,
        })
    }
    pub fn raw(self) -> i64 {
        self as i64
    }
}

/// `msExchUMDialPlanVoipSecurity`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoipSecurity {
    #[default]
    Unsecured,
    SipSecured,
    Secured,
}

impl VoipSecurity {
    pub fn from_raw(v: i64) -> Option<VoipSecurity> {
        Some(match v {
            0 => VoipSecurity::Unsecured,
            1 => VoipSecurity::SipSecured,
            2 => VoipSecurity::Secured,
            _ => return None,
        })
    }
    pub fn raw(self) -> i64 {
        self as i64
    }
    /// Signalling over TLS (SIPSecured or Secured).
    pub fn uses_tls(self) -> bool {
        self != VoipSecurity::Unsecured
    }
    /// Media over SRTP (Secured only).
    pub fn uses_srtp(self) -> bool {
        self == VoipSecurity::Secured
    }
}

/// `msExchUMAudioCodec2`: the codec voice messages are stored in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioCodec {
    G711,
    Wma,
    Gsm,
    #[default]
    Mp3,
}

impl AudioCodec {
    /// Reads the Exchange enumeration value (0 G711, 1 Wma, 2 Gsm, 3 Mp3) or its name.
    pub fn parse(s: &str) -> Option<AudioCodec> {
        let t = s.trim();
        Some(match t {
            "0" => AudioCodec::G711,
            "1" => AudioCodec::Wma,
            "2" => AudioCodec::Gsm,
            "3" => AudioCodec::Mp3,
            _ if t.eq_ignore_ascii_case("G711") => AudioCodec::G711,
            _ if t.eq_ignore_ascii_case("Wma") => AudioCodec::Wma,
            _ if t.eq_ignore_ascii_case("Gsm") => AudioCodec::Gsm,
            _ if t.eq_ignore_ascii_case("Mp3") => AudioCodec::Mp3,
            _ => return None,
        })
    }
}

/// One dial plan. Numeric settings hold Exchange's default when the attribute is absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DialPlan {
    pub dn: Dn,
    pub name: String,
    pub uri_type: UriType,
    /// `msExchUMNumberingPlanDigits`: extension length, 1-20.
    pub digits: u8,
    /// `msExchUMPhoneContext`, e.g. `LOC801.contoso.com`.
    pub phone_context: String,
    /// `msExchUMVoiceMailPilotNumbers`: Outlook Voice Access (subscriber access) numbers.
    pub ova_numbers: Vec<String>,
    /// `msExchUMCountryCode`: 1-4 digits.
    pub country_code: String,
    pub voip_security: VoipSecurity,
    pub audio_codec: AudioCodec,
    pub operator_extension: Option<String>,
    pub logon_failures_before_disconnect: u32,
    /// `msExchUMCallFailuresToDisconnect` (InputFailuresBeforeDisconnect).
    pub input_failures_before_disconnect: u32,
    pub max_call_duration_minutes: u32,
    pub max_recording_duration_minutes: u32,
    pub recording_idle_timeout_seconds: u32,
}

impl DialPlan {
    pub const DEFAULT_LOGON_FAILURES: u32 = 3;
    pub const DEFAULT_INPUT_FAILURES: u32 = 3;
    pub const DEFAULT_MAX_CALL_MINUTES: u32 = 30;
    pub const DEFAULT_MAX_RECORDING_MINUTES: u32 = 20;
    pub const DEFAULT_RECORDING_IDLE_SECONDS: u32 = 5;

    pub fn from_entry(e: &Entry) -> Result<DialPlan, ModelError> {
        const CLASS: &str = attrs::OC_MSEXCH_UM_DIAL_PLAN;
        read::expect_class(e, CLASS)?;
        let bad = |attr: &'static str, value: String, expected: &str| ModelError::BadValue {
            dn: e.dn.clone(),
            attr,
            value,
            expected: expected.to_string(),
        };

        let uri_type = match read::opt_i64(e, attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE)? {
            None => UriType::default(),
            Some(v) => UriType::from_raw(v).ok_or_else(|| {
                bad(
                    attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE,
                    v.to_string(),
                    "0 (TelExtn), 1 (E164) or 2 (SipName)",
                )
            })?,
        };
        let voip_security = match read::opt_i64(e, attrs::MSEXCH_UM_DIAL_PLAN_VOIP_SECURITY)? {
            None => VoipSecurity::default(),
            Some(v) => VoipSecurity::from_raw(v).ok_or_else(|| {
                bad(
                    attrs::MSEXCH_UM_DIAL_PLAN_VOIP_SECURITY,
                    v.to_string(),
                    "0 (Unsecured), 1 (SIPSecured) or 2 (Secured)",
                )
            })?,
        };
        let audio_codec = match read::opt_str(e, attrs::MSEXCH_UM_AUDIO_CODEC2)? {
            None => AudioCodec::default(),
            Some(s) => AudioCodec::parse(&s).ok_or_else(|| {
                bad(
                    attrs::MSEXCH_UM_AUDIO_CODEC2,
                    s.clone(),
                    "0 (G711), 1 (Wma), 2 (Gsm) or 3 (Mp3)",
                )
            })?,
        };

        if !e.has(attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS) {
            return Err(read::missing(
                e,
                attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS,
                CLASS,
            ));
        }
        let digits = read::int_in(e, attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS, 1, 20, 0)?;

        let country_code = read::req_str(e, attrs::MSEXCH_UM_COUNTRY_CODE, CLASS)?;
        if !(1..=4).contains(&country_code.len())
            || !country_code.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad(
                attrs::MSEXCH_UM_COUNTRY_CODE,
                country_code,
                "1 to 4 digits",
            ));
        }

        let phone_context = read::req_str(e, attrs::MSEXCH_UM_PHONE_CONTEXT, CLASS)?;
        if phone_context.trim().is_empty() || phone_context.contains(';') {
            return Err(bad(
                attrs::MSEXCH_UM_PHONE_CONTEXT,
                phone_context,
                "a DNS-style name such as LOC801.contoso.com",
            ));
        }

        let count = |attr, lo, hi, default: u32| -> Result<u32, ModelError> {
            // The range check in int_in keeps the value within u32.
            Ok(read::int_in(e, attr, lo, hi, i64::from(default))? as u32)
        };

        Ok(DialPlan {
            dn: e.dn.clone(),
            name: read::name(e, CLASS)?,
            uri_type,
            digits: digits as u8,
            phone_context,
            ova_numbers: read::all_str(e, attrs::MSEXCH_UM_VOICE_MAIL_PILOT_NUMBERS)?,
            country_code,
            voip_security,
            audio_codec,
            operator_extension: read::opt_str(e, attrs::MSEXCH_UM_OPERATOR_EXTENSION)?,
            logon_failures_before_disconnect: count(
                attrs::MSEXCH_UM_LOGON_FAILURES_BEFORE_DISCONNECT,
                1,
                20,
                Self::DEFAULT_LOGON_FAILURES,
            )?,
            input_failures_before_disconnect: count(
                attrs::MSEXCH_UM_CALL_FAILURES_TO_DISCONNECT,
                1,
                20,
                Self::DEFAULT_INPUT_FAILURES,
            )?,
            max_call_duration_minutes: count(
                attrs::MSEXCH_UM_MAX_CALL_DURATION,
                10,
                120,
                Self::DEFAULT_MAX_CALL_MINUTES,
            )?,
            max_recording_duration_minutes: count(
                attrs::MSEXCH_UM_MAX_RECORDING_DURATION,
                1,
                100,
                Self::DEFAULT_MAX_RECORDING_MINUTES,
            )?,
            recording_idle_timeout_seconds: count(
                attrs::MSEXCH_UM_RECORDING_IDLE_TIMEOUT,
                2,
                10,
                Self::DEFAULT_RECORDING_IDLE_SECONDS,
            )?,
        })
    }

    /// The hunt-group pilot identifier ExchUCUtil gives this dial plan: the first DNS label of
    /// the phone context (`LOC801.contoso.com` -> `LOC801`).
    pub fn pilot_identifier(&self) -> &str {
        self.phone_context.split('.').next().unwrap_or_default()
    }

    /// A SIP URI dial plan: the only kind Lync and Exchange 2013+ servers use.
    pub fn is_sip(&self) -> bool {
        self.uri_type == UriType::SipName
    }

    /// Whether this dial plan's phone context is `ctx` (case-insensitive).
    pub fn has_phone_context(&self, ctx: &str) -> bool {
        self.phone_context.eq_ignore_ascii_case(ctx)
    }

    /// Whether `number` is one of the Outlook Voice Access numbers (exact text, as Exchange
    /// stores and compares them).
    pub fn has_ova_number(&self, number: &str) -> bool {
        self.ova_numbers.iter().any(|n| n == number)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DN: &str = "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    fn loc801() -> Entry {
        let mut e = Entry::new(Dn::parse(DN).unwrap());
        e.set(
            attrs::OBJECT_CLASS,
            vec![b"top".to_vec(), b"msExchUMDialPlan".to_vec()],
        );
        e.set_str(attrs::CN, "LOC801");
        e.set_str(attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE, "2");
        e.set_str(attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS, "4");
        e.set_str(attrs::MSEXCH_UM_PHONE_CONTEXT, "LOC801.contoso.com");
        e.set(
            attrs::MSEXCH_UM_VOICE_MAIL_PILOT_NUMBERS,
            vec![b"+96265519999".to_vec(), b"+96265518888".to_vec()],
        );
        e.set_str(attrs::MSEXCH_UM_COUNTRY_CODE, "962");
        e.set_str(attrs::MSEXCH_UM_DIAL_PLAN_VOIP_SECURITY, "1");
        e
    }

    #[test]
    fn reads_a_sip_dial_plan_with_defaults() {
        let d = DialPlan::from_entry(&loc801()).unwrap();
        assert_eq!(d.name, "LOC801");
        assert!(d.is_sip());
        assert_eq!(d.digits, 4);
        assert_eq!(d.pilot_identifier(), "LOC801");
        assert!(d.has_phone_context("loc801.contoso.com"));
        assert!(d.has_ova_number("+96265518888"));
        assert_eq!(d.voip_security, VoipSecurity::SipSecured);
        assert!(d.voip_security.uses_tls() && !d.voip_security.uses_srtp());
        assert_eq!(d.audio_codec, AudioCodec::Mp3);
        assert_eq!(d.operator_extension, None);
        assert_eq!(d.logon_failures_before_disconnect, 3);
        assert_eq!(d.input_failures_before_disconnect, 3);
        assert_eq!(d.max_call_duration_minutes, 30);
        assert_eq!(d.max_recording_duration_minutes, 20);
        assert_eq!(d.recording_idle_timeout_seconds, 5);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["uri_type"], "sip_name");
        assert_eq!(json["voip_security"], "sip_secured");
        assert_eq!(json["audio_codec"], "mp3");
    }

    #[test]
    fn reads_explicit_settings() {
        let mut e = loc801();
        e.set_str(attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE, "0");
        e.set_str(attrs::MSEXCH_UM_AUDIO_CODEC2, "G711");
        e.set_str(attrs::MSEXCH_UM_OPERATOR_EXTENSION, "9999");
        e.set_str(attrs::MSEXCH_UM_LOGON_FAILURES_BEFORE_DISCONNECT, "5");
        e.set_str(attrs::MSEXCH_UM_CALL_FAILURES_TO_DISCONNECT, "4");
        e.set_str(attrs::MSEXCH_UM_MAX_CALL_DURATION, "60");
        e.set_str(attrs::MSEXCH_UM_MAX_RECORDING_DURATION, "10");
        e.set_str(attrs::MSEXCH_UM_RECORDING_IDLE_TIMEOUT, "8");
        e.remove(attrs::MSEXCH_UM_DIAL_PLAN_VOIP_SECURITY);
        e.remove(attrs::CN);
        let d = DialPlan::from_entry(&e).unwrap();
        assert_eq!(d.name, "LOC801", "name falls back to the RDN");
        assert_eq!(d.uri_type, UriType::TelExtn);
        assert_eq!(d.audio_codec, AudioCodec::G711);
        assert_eq!(d.operator_extension.as_deref(), Some("9999"));
        assert_eq!(d.logon_failures_before_disconnect, 5);
        assert_eq!(d.input_failures_before_disconnect, 4);
        assert_eq!(d.max_call_duration_minutes, 60);
        assert_eq!(d.max_recording_duration_minutes, 10);
        assert_eq!(d.recording_idle_timeout_seconds, 8);
        assert_eq!(d.voip_security, VoipSecurity::Unsecured);
    }

    #[test]
    fn pilot_identifier_of_a_single_label_context() {
        let mut e = loc801();
        e.set_str(attrs::MSEXCH_UM_PHONE_CONTEXT, "LOC801");
        assert_eq!(
            DialPlan::from_entry(&e).unwrap().pilot_identifier(),
            "LOC801"
        );
    }

    #[test]
    fn missing_required_attributes_are_named() {
        for attr in [
            attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS,
            attrs::MSEXCH_UM_COUNTRY_CODE,
            attrs::MSEXCH_UM_PHONE_CONTEXT,
        ] {
            let mut e = loc801();
            e.remove(attr);
            let err = DialPlan::from_entry(&e).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("{DN}: {attr} is required on msExchUMDialPlan (missing)")
            );
        }
    }

    #[test]
    fn bad_values_are_named() {
        let cases: [(&str, &str, &str); 8] = [
            (attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS, "four", "an integer"),
            (attrs::MSEXCH_UM_NUMBERING_PLAN_DIGITS, "0", "from 1 to 20"),
            (attrs::MSEXCH_UM_DIAL_PLAN_URI_TYPE, "3", "SipName"),
            (attrs::MSEXCH_UM_DIAL_PLAN_VOIP_SECURITY, "7", "Secured"),
            (attrs::MSEXCH_UM_COUNTRY_CODE, "+962", "1 to 4 digits"),
            (attrs::MSEXCH_UM_AUDIO_CODEC2, "opus", "Mp3"),
            (attrs::MSEXCH_UM_MAX_CALL_DURATION, "5", "from 10 to 120"),
            (attrs::MSEXCH_UM_PHONE_CONTEXT, "a;b", "DNS-style"),
        ];
        for (attr, value, expected) in cases {
            let mut e = loc801();
            e.set_str(attr, value);
            let msg = DialPlan::from_entry(&e).unwrap_err().to_string();
            assert!(msg.starts_with(DN), "{msg}");
            assert!(
                msg.contains(&format!("{attr} has value '{value}'")),
                "{msg}"
            );
            assert!(msg.contains(expected), "{msg}");
        }
    }
}
