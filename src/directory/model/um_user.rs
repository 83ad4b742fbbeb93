//! UM-enabled users (domain.md A.1, B.3.6-3.8): identity, Lync SIP address and line, home
//! pool, hosted-voicemail settings, UM flags, dial plan link, mailbox server and EUM
//! addresses. It does not resolve the dial plan or server those links name (`um::resolve`,
//! `frontend`), nor decide what a missing piece means for a call (`trace`).

use serde::Serialize;

use super::eum_address::has_eum_prefix;
use super::{attrs, read, Dn, EumAddress, LineUri, ModelError, ValueError};
use crate::directory::entry::Entry;

/// `msExchUMEnabledFlags` bit 1: the mailbox is UM-enabled (831 typical, 830 = not enabled).
pub const UM_ENABLED_FLAG: i64 = 1;

const CS_HOSTED_VOICE_MAIL: &str = "CsHostedVoiceMail";
const EXCHANGE_HOSTED_VOICE_MAIL: &str = "ExchangeHostedVoiceMail";

/// `msExchUCVoiceMailSettings`: `CsHostedVoiceMail=1|0` (Lync) and
/// `ExchangeHostedVoiceMail=1|0` (Exchange); other values kept as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VoiceMailSettings {
    pub cs_hosted_voice_mail: Option<bool>,
    pub exchange_hosted_voice_mail: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
}

impl VoiceMailSettings {
    /// Parses the attribute's values; a known key with a value other than 0/1 is an error.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, ValueError> {
        let mut s = VoiceMailSettings::default();
        for v in values {
            let (key, val) = v.split_once('=').unwrap_or((v, ""));
            let slot = if key.trim().eq_ignore_ascii_case(CS_HOSTED_VOICE_MAIL) {
                &mut s.cs_hosted_voice_mail
            } else if key.trim().eq_ignore_ascii_case(EXCHANGE_HOSTED_VOICE_MAIL) {
                &mut s.exchange_hosted_voice_mail
            } else {
                s.other.push(v.to_string());
                continue;
            };
            *slot = Some(match val.trim() {
                "1" => true,
                "0" => false,
                _ => return Err(ValueError::new(v, format!("{} = 1 or 0", key.trim()))),
            });
        }
        Ok(s)
    }

    /// Either side says the user's voice mail is hosted (the ExUM routing app sends calls to
    /// the hosted voicemail policy's destination).
    pub fn is_hosted(&self) -> bool {
        self.cs_hosted_voice_mail == Some(true) || self.exchange_hosted_voice_mail == Some(true)
    }

    /// The attribute values, in the form Lync and Exchange write them.
    pub fn to_values(&self) -> Vec<String> {
        let flag = |b: bool| if b { "1" } else { "0" };
        let mut out = Vec::new();
        if let Some(b) = self.cs_hosted_voice_mail {
            out.push(format!("{CS_HOSTED_VOICE_MAIL}={}", flag(b)));
        }
        if let Some(b) = self.exchange_hosted_voice_mail {
            out.push(format!("{EXCHANGE_HOSTED_VOICE_MAIL}={}", flag(b)));
        }
        out.extend(self.other.iter().cloned());
        out
    }
}

/// A user object read for UM purposes. Everything but the DN is optional: a user that is not
/// (fully) UM-enabled is still a user, and saying what is missing is the caller's job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UmUser {
    pub dn: Dn,
    pub sam: Option<String>,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub mail: Option<String>,
    /// `msRTCSIP-PrimaryUserAddress` as stored, e.g. `sip:bob@contoso.com`.
    pub sip_address: Option<String>,
    /// `msRTCSIP-UserEnabled`; absent reads as false.
    pub sip_enabled: bool,
    pub line_uri: Option<LineUri>,
    /// `msRTCSIP-PrimaryHomeServer`: DN of the user's pool.
    pub home_pool: Option<Dn>,
    pub voice_mail_settings: VoiceMailSettings,
    /// `msExchUMEnabledFlags` as stored.
    pub um_enabled_flags: Option<i64>,
    /// Bit 1 of `msExchUMEnabledFlags`.
    pub um_enabled: bool,
    /// `msExchUMRecipientDialPlanLink`.
    pub dial_plan: Option<Dn>,
    /// `msExchUMTemplateLink` as stored: the UM mailbox policy (`um::mailbox_policy` reads it;
    /// a value that is not a DN means no policy, as for Exchange).
    pub mailbox_policy: Option<String>,
    /// `msExchHomeServerName`: the mailbox server's `legacyExchangeDN`.
    pub home_server: Option<String>,
    /// EUM addresses from `proxyAddresses` and `msExchUMAddresses`, in that order, without
    /// duplicates.
    pub eum_addresses: Vec<EumAddress>,
}

impl UmUser {
    pub fn from_entry(e: &Entry) -> Result<UmUser, ModelError> {
        read::expect_class(e, attrs::OC_USER)?;
        let line_uri = match read::opt_str(e, attrs::MSRTCSIP_LINE)? {
            None => None,
            Some(s) => Some(LineUri::parse(&s).map_err(|v| v.at(&e.dn, attrs::MSRTCSIP_LINE))?),
        };
        let voice_mail_settings = VoiceMailSettings::parse(
            read::all_str(e, attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS)?
                .iter()
                .map(String::as_str),
        )
        .map_err(|v| v.at(&e.dn, attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS))?;
        let um_enabled_flags = read::opt_i64(e, attrs::MSEXCH_UM_ENABLED_FLAGS)?;

        let mut eum_addresses: Vec<EumAddress> = Vec::new();
        for attr in [attrs::PROXY_ADDRESSES, attrs::MSEXCH_UM_ADDRESSES] {
            for v in read::all_str(e, attr)? {
                if !has_eum_prefix(v.trim()) {
                    continue;
                }
                let a = EumAddress::parse(&v).map_err(|err| err.at(&e.dn, attr))?;
                let dup = eum_addresses.iter().any(|b| {
                    b.address.eq_ignore_ascii_case(&a.address) && b.in_context(&a.phone_context)
                });
                if !dup {
                    eum_addresses.push(a);
                }
            }
        }

        Ok(UmUser {
            dn: e.dn.clone(),
            sam: read::opt_str(e, attrs::SAM_ACCOUNT_NAME)?,
            display_name: read::opt_str(e, attrs::DISPLAY_NAME)?,
            upn: read::opt_str(e, attrs::USER_PRINCIPAL_NAME)?,
            mail: read::opt_str(e, attrs::MAIL)?,
            sip_address: read::opt_str(e, attrs::MSRTCSIP_PRIMARY_USER_ADDRESS)?,
            sip_enabled: read::opt_bool(e, attrs::MSRTCSIP_USER_ENABLED)?.unwrap_or(false),
            line_uri,
            home_pool: read::opt_dn(e, attrs::MSRTCSIP_PRIMARY_HOME_SERVER)?,
            voice_mail_settings,
            um_enabled_flags,
            um_enabled: um_enabled_flags.is_some_and(|f| f & UM_ENABLED_FLAG != 0),
            dial_plan: read::opt_dn(e, attrs::MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK)?,
            mailbox_policy: read::opt_str(e, attrs::MSEXCH_UM_TEMPLATE_LINK)?,
            home_server: read::opt_str(e, attrs::MSEXCH_HOME_SERVER_NAME)?,
            eum_addresses,
        })
    }

    /// The SIP address without the `sip:` scheme (`bob@contoso.com`).
    pub fn sip_user(&self) -> Option<&str> {
        let s = self.sip_address.as_deref()?;
        Some(match s.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("sip:") => &s[4..],
            _ => s,
        })
    }

    /// The EUM addresses in the dial plan with phone context `ctx`.
    pub fn eum_in<'a, 'c>(&'a self, ctx: &'c str) -> impl Iterator<Item = &'a EumAddress> + 'c
    where
        'a: 'c,
    {
        self.eum_addresses.iter().filter(move |a| a.in_context(ctx))
    }

    /// The user's extension in the dial plan with phone context `ctx`.
    pub fn extension_in(&self, ctx: &str) -> Option<&str> {
        self.eum_addresses
            .iter()
            .find(|a| a.in_context(ctx) && a.is_extension())
            .map(|a| a.address.as_str())
    }

    /// The user's SIP EUM address (`user@host`) in the dial plan with phone context `ctx`.
    pub fn sip_eum_in(&self, ctx: &str) -> Option<&str> {
        self.eum_addresses
            .iter()
            .find(|a| a.in_context(ctx) && a.is_sip())
            .map(|a| a.address.as_str())
    }

    /// The user's hosted-voicemail setting says calls go to hosted UM.
    pub fn is_hosted_voice_mail(&self) -> bool {
        self.voice_mail_settings.is_hosted()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DP: &str = "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    const POOL: &str = "CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com";

    fn bob() -> Entry {
        let mut e = Entry::new(Dn::parse("CN=Bob Kelly,OU=Staff,DC=contoso,DC=com").unwrap());
        let mut put = |k: &str, vs: &[&str]| {
            e.set(k, vs.iter().map(|v| v.as_bytes().to_vec()).collect());
        };
        put(
            attrs::OBJECT_CLASS,
            &["top", "person", "organizationalPerson", "user"],
        );
        put(attrs::SAM_ACCOUNT_NAME, &["bob"]);
        put(attrs::DISPLAY_NAME, &["Bob Kelly"]);
        put(attrs::USER_PRINCIPAL_NAME, &["bob@contoso.com"]);
        put(attrs::MAIL, &["bob@contoso.com"]);
        put(
            attrs::PROXY_ADDRESSES,
            &[
                "SMTP:bob@contoso.com",
                "sip:bob@contoso.com",
                "EUM:9000;phone-context=LOC801.contoso.com",
                "eum:bob@contoso.com;phone-context=LOC801.contoso.com",
                "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=bob",
            ],
        );
        put(
            attrs::MSEXCH_UM_ADDRESSES,
            &["eum:9000;phone-context=loc801.contoso.com", "meum:x"],
        );
        put(
            attrs::MSRTCSIP_PRIMARY_USER_ADDRESS,
            &["sip:bob@contoso.com"],
        );
        put(attrs::MSRTCSIP_USER_ENABLED, &["TRUE"]);
        put(attrs::MSRTCSIP_LINE, &["tel:+96265519000;ext=9000"]);
        put(attrs::MSRTCSIP_PRIMARY_HOME_SERVER, &[POOL]);
        put(
            attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS,
            &["CsHostedVoiceMail=0"],
        );
        put(attrs::MSEXCH_UM_ENABLED_FLAGS, &["831"]);
        put(attrs::MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK, &[DP]);
        put(
            attrs::MSEXCH_HOME_SERVER_NAME,
            &["/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=EX01"],
        );
        e
    }

    #[test]
    fn reads_a_um_enabled_lync_user() {
        let u = UmUser::from_entry(&bob()).unwrap();
        assert_eq!(u.sam.as_deref(), Some("bob"));
        assert_eq!(u.sip_user(), Some("bob@contoso.com"));
        assert!(u.sip_enabled);
        assert_eq!(u.line_uri.as_ref().unwrap().ext.as_deref(), Some("9000"));
        assert_eq!(u.home_pool.as_ref().unwrap().to_string(), POOL);
        assert!(u.um_enabled);
        assert!(!u.is_hosted_voice_mail());
        assert_eq!(u.dial_plan.as_ref().unwrap().rdn_value(), Some("LOC801"));
        assert_eq!(
            u.eum_addresses.len(),
            2,
            "msExchUMAddresses duplicate dropped"
        );
        assert_eq!(u.extension_in("loc801.CONTOSO.com"), Some("9000"));
        assert_eq!(u.sip_eum_in("LOC801.contoso.com"), Some("bob@contoso.com"));
        assert_eq!(u.extension_in("LOC802.contoso.com"), None);
    }

    #[test]
    fn not_um_enabled_and_hosted() {
        let mut e = bob();
        e.set_str(attrs::MSEXCH_UM_ENABLED_FLAGS, "830");
        e.set(
            attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS,
            vec![
                b"CsHostedVoiceMail=1".to_vec(),
                b"ExchangeHostedVoiceMail=0".to_vec(),
            ],
        );
        e.remove(attrs::PROXY_ADDRESSES);
        e.remove(attrs::MSEXCH_UM_ADDRESSES);
        let u = UmUser::from_entry(&e).unwrap();
        assert!(!u.um_enabled);
        assert!(u.is_hosted_voice_mail());
        assert_eq!(
            u.voice_mail_settings.exchange_hosted_voice_mail,
            Some(false)
        );
        assert!(u.eum_addresses.is_empty());
        assert_eq!(u.extension_in("LOC801.contoso.com"), None);
    }

    #[test]
    fn bare_user_reads_with_defaults() {
        let mut e = Entry::new(Dn::parse("CN=Plain,CN=Users,DC=contoso,DC=com").unwrap());
        e.set_str(attrs::OBJECT_CLASS, "user");
        let u = UmUser::from_entry(&e).unwrap();
        assert!(!u.um_enabled && !u.sip_enabled);
        assert_eq!(u.line_uri, None);
        assert_eq!(u.voice_mail_settings, VoiceMailSettings::default());
    }

    #[test]
    fn bad_values_name_dn_attribute_and_value() {
        let cases: [(&str, &str); 5] = [
            (attrs::PROXY_ADDRESSES, "eum:9000"),
            (attrs::MSRTCSIP_LINE, "+96265519000"),
            (attrs::MSEXCH_UM_ENABLED_FLAGS, "lots"),
            (
                attrs::MSEXCH_UC_VOICE_MAIL_SETTINGS,
                "CsHostedVoiceMail=yes",
            ),
            (attrs::MSEXCH_UM_RECIPIENT_DIAL_PLAN_LINK, "not a dn"),
        ];
        for (attr, value) in cases {
            let mut e = bob();
            e.set_str(attr, value);
            let msg = UmUser::from_entry(&e).unwrap_err().to_string();
            assert!(msg.starts_with("CN=Bob Kelly,OU=Staff"), "{msg}");
            assert!(msg.contains(attr), "{msg}");
            assert!(msg.contains(value), "{msg}");
        }
    }

    #[test]
    fn voice_mail_settings_round_trip() {
        let s = VoiceMailSettings::parse(["CsHostedVoiceMail=1", "Other=x"]).unwrap();
        assert_eq!(s.to_values(), vec!["CsHostedVoiceMail=1", "Other=x"]);
        assert!(s.is_hosted());
    }
}
