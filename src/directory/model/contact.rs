//! Exchange UM contacts (domain.md A.4, B.2): the Lync `contact` objects that route calls to a
//! dial plan's subscriber access number or to an auto attendant, with umctl's `otherIPPhone`
//! format (`SA:sip:<address>;phone-context=<ctx>` / `AA:...`, or a bare phone context), read
//! from and rendered to entries since new-contact creates them. It does not check uniqueness
//! or pool versions (`admin::contact`), which need the directory.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::eum_address::split_phone_context;
use super::line_uri::validate_e164;
use super::{attrs, read, Dn, LineUri, ModelError, ValueError};
use crate::directory::entry::Entry;

/// `msRTCSIP-OptionFlags` of a new contact: 128 (Enterprise Voice) + 256 (enhanced presence).
pub const EX_UM_OPTION_FLAGS: i64 = 384;
/// `msRTCSIP-SourceObjectType` 0x90000000 ("auto attendant or subscriber access object"),
/// stored as the signed 32-bit integer AD's Integer syntax holds.
pub const EX_UM_SOURCE_OBJECT_TYPE: i64 = -1_879_048_192;
/// The same value as an unsigned 32-bit number, as some tools write it.
const EX_UM_SOURCE_OBJECT_TYPE_UNSIGNED: i64 = 0x9000_0000;

const SIP: &str = "sip:";

/// What the contact's number reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// Outlook Voice Access: the dial plan's subscriber access number.
    SubscriberAccess,
    AutoAttendant,
}

impl ContactKind {
    /// The `otherIPPhone` marker: `SA` or `AA`.
    pub fn marker(self) -> &'static str {
        match self {
            ContactKind::SubscriberAccess => "SA",
            ContactKind::AutoAttendant => "AA",
        }
    }

    /// The display name new-contact uses when none is given: the dial plan or auto attendant
    /// name plus `Subscriber Access` / `Auto Attendant`.
    pub fn default_display_name(self, source_name: &str) -> String {
        match self {
            ContactKind::SubscriberAccess => format!("{source_name} Subscriber Access"),
            ContactKind::AutoAttendant => format!("{source_name} Auto Attendant"),
        }
    }
}

/// One `otherIPPhone` value in umctl's format. A bare phone context (what OcsUmUtil-era
/// contacts are believed to carry) has neither kind nor SIP address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct OtherIpPhone {
    pub kind: Option<ContactKind>,
    /// The SIP address without `sip:`.
    pub sip_address: Option<String>,
    pub phone_context: String,
}

impl OtherIpPhone {
    pub fn new(kind: ContactKind, sip_address: &str, phone_context: &str) -> OtherIpPhone {
        OtherIpPhone {
            kind: Some(kind),
            sip_address: Some(strip_sip(sip_address).to_string()),
            phone_context: phone_context.to_string(),
        }
    }

    /// Parses `SA:sip:<address>;phone-context=<ctx>`, `AA:...` (markers and `sip:` in any
    /// case, split at the last `;phone-context=`), or a bare phone context such as
    /// `LOC801.contoso.com`.
    pub fn parse(s: &str) -> Result<OtherIpPhone, ValueError> {
        let fail = || {
            ValueError::new(
                s,
                "SA:sip:<address>;phone-context=<ctx>, AA:sip:<address>;phone-context=<ctx> \
                 or a bare phone context",
            )
        };
        let t = s.trim();
        let kind = match t.get(..3) {
            Some(m) if m.eq_ignore_ascii_case("SA:") => Some(ContactKind::SubscriberAccess),
            Some(m) if m.eq_ignore_ascii_case("AA:") => Some(ContactKind::AutoAttendant),
            _ => None,
        };
        let rest = if kind.is_some() { &t[3..] } else { t };
        if let Some((sip, ctx)) = split_phone_context(rest) {
            let address = match sip.get(..SIP.len()) {
                Some(p) if p.eq_ignore_ascii_case(SIP) => &sip[SIP.len()..],
                _ => return Err(fail()),
            };
            if address.is_empty() || ctx.is_empty() {
                return Err(fail());
            }
            return Ok(OtherIpPhone {
                kind,
                sip_address: Some(address.to_string()),
                phone_context: ctx.to_string(),
            });
        }
        let bare = kind.is_none()
            && !t.is_empty()
            && !t.contains(|c: char| c == ':' || c == ';' || c == '@' || c.is_whitespace());
        if bare {
            Ok(OtherIpPhone {
                kind: None,
                sip_address: None,
                phone_context: t.to_string(),
            })
        } else {
            Err(fail())
        }
    }
}

impl fmt::Display for OtherIpPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(k) = self.kind {
            write!(f, "{}:", k.marker())?;
        }
        match &self.sip_address {
            Some(a) => write!(f, "{SIP}{a};phone-context={}", self.phone_context),
            None => f.write_str(&self.phone_context),
        }
    }
}

impl FromStr for OtherIpPhone {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<OtherIpPhone, ValueError> {
        OtherIpPhone::parse(s)
    }
}

fn strip_sip(s: &str) -> &str {
    match s.get(..SIP.len()) {
        Some(p) if p.eq_ignore_ascii_case(SIP) => &s[SIP.len()..],
        _ => s,
    }
}

/// What new-contact is given (New-CsExUmContact's parameters plus the dial plan edit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactSpec {
    pub kind: ContactKind,
    /// Must start with `sip:`.
    pub sip_address: String,
    /// E.164 with `+`, first digit not 0.
    pub display_number: String,
    /// DN of the registrar pool (`msRTCSIP-PrimaryHomeServer`).
    pub registrar_pool: Dn,
    /// DN of the dial plan (subscriber access) or auto attendant (`msDS-SourceObjectDN`).
    pub source: Dn,
    /// Name of that dial plan or auto attendant, for the default display name.
    pub source_name: String,
    /// Phone context of the dial plan (of the auto attendant's dial plan for an AA contact).
    pub phone_context: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
}

/// One Exchange UM contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExUmContact {
    pub dn: Dn,
    pub kind: ContactKind,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// `msRTCSIP-PrimaryUserAddress` as stored, `sip:...`.
    pub sip_address: String,
    /// `msRTCSIP-Line`.
    pub line_uri: LineUri,
    /// `telephoneNumber`: the display number.
    pub telephone_number: Option<String>,
    /// `msRTCSIP-PrimaryHomeServer`: DN of the registrar pool.
    pub home_pool: Dn,
    /// `msRTCSIP-UserEnabled`; absent reads as false.
    pub enabled: bool,
    /// `msRTCSIP-OptionFlags`; absent reads as 0.
    pub option_flags: i64,
    /// `msRTCSIP-SourceObjectType`, normalised to the signed 32-bit value.
    pub source_object_type: Option<i64>,
    /// `msDS-SourceObjectDN`: the dial plan or auto attendant.
    pub source_object: Option<Dn>,
    /// The dial plan phone context from `otherIPPhone`.
    pub phone_context: String,
}

impl ExUmContact {
    /// The CN of a new contact: a fresh GUID in braces, as the cmdlets name them.
    pub fn new_cn() -> String {
        format!("{{{}}}", uuid::Uuid::new_v4())
    }

    /// Builds the contact new-contact writes at `dn`, checking what needs no directory: the
    /// SIP address starts with `sip:`, the display number is E.164.
    pub fn from_spec(dn: Dn, spec: &ContactSpec) -> Result<ExUmContact, ValueError> {
        let address = spec.sip_address.trim();
        if !address
            .get(..SIP.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(SIP))
            || address.len() == SIP.len()
        {
            return Err(ValueError::new(
                &spec.sip_address,
                "a SIP address starting with sip:",
            ));
        }
        let number = spec.display_number.trim();
        validate_e164(number)?;
        Ok(ExUmContact {
            dn,
            kind: spec.kind,
            display_name: Some(
                spec.display_name
                    .clone()
                    .unwrap_or_else(|| spec.kind.default_display_name(&spec.source_name)),
            ),
            description: spec.description.clone(),
            sip_address: address.to_string(),
            line_uri: LineUri::new(number),
            telephone_number: Some(number.to_string()),
            home_pool: spec.registrar_pool.clone(),
            enabled: true,
            option_flags: EX_UM_OPTION_FLAGS,
            source_object_type: Some(EX_UM_SOURCE_OBJECT_TYPE),
            source_object: Some(spec.source.clone()),
            phone_context: spec.phone_context.clone(),
        })
    }

    /// The filter that finds Exchange UM contacts (a contact with the UM source object type
    /// or an `SA:`/`AA:` otherIPPhone value; refine with [`ExUmContact::is_ex_um_contact`]).
    pub fn search_filter() -> crate::directory::Filter {
        use crate::directory::Filter;
        let marker = |m: &str| Filter::Substring {
            attr: attrs::OTHER_IP_PHONE.to_string(),
            initial: Some(m.as_bytes().to_vec()),
            any: Vec::new(),
            last: None,
        };
        Filter::and(vec![
            Filter::eq(attrs::OBJECT_CLASS, attrs::OC_CONTACT),
            Filter::or(vec![
                Filter::eq(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE, "-1879048192"),
                Filter::eq(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE, "2415919104"),
                marker("SA:"),
                marker("AA:"),
            ]),
        ])
    }

    /// Whether an entry looks like an Exchange UM contact (a contact with the UM source object
    /// type or an `SA:`/`AA:` otherIPPhone value), so listing can skip ordinary contacts.
    pub fn is_ex_um_contact(e: &Entry) -> bool {
        let typed = e
            .first_i64(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE)
            .is_some_and(|v| {
                v == EX_UM_SOURCE_OBJECT_TYPE || v == EX_UM_SOURCE_OBJECT_TYPE_UNSIGNED
            });
        let marked = e
            .str_values(attrs::OTHER_IP_PHONE)
            .any(|v| OtherIpPhone::parse(v).is_ok_and(|o| o.kind.is_some()));
        (!e.has(attrs::OBJECT_CLASS) || e.has_object_class(attrs::OC_CONTACT)) && (typed || marked)
    }

    /// The `otherIPPhone` value: the first in umctl's format with a kind marker, else the first
    /// bare phone context. Values in other formats are ignored.
    fn other_ip_phone(e: &Entry) -> Result<OtherIpPhone, ModelError> {
        let attr = attrs::OTHER_IP_PHONE;
        let parsed: Vec<OtherIpPhone> = e
            .str_values(attr)
            .filter_map(|v| OtherIpPhone::parse(v).ok())
            .collect();
        if let Some(p) = parsed.iter().find(|p| p.kind.is_some()).or(parsed.first()) {
            return Ok(p.clone());
        }
        match e.first(attr) {
            None => Err(read::missing(e, attr, attrs::OC_CONTACT)),
            Some(v) => Err(OtherIpPhone::parse(v)
                .err()
                .unwrap_or_else(|| ValueError::new(v, "an otherIPPhone value"))
                .at(&e.dn, attr)),
        }
    }

    pub fn from_entry(e: &Entry) -> Result<ExUmContact, ModelError> {
        const CLASS: &str = attrs::OC_CONTACT;
        read::expect_class(e, CLASS)?;
        let line = read::req_str(e, attrs::MSRTCSIP_LINE, CLASS)?;
        let line_uri = LineUri::parse(&line).map_err(|v| v.at(&e.dn, attrs::MSRTCSIP_LINE))?;
        let oip = Self::other_ip_phone(e)?;
        let source_object = read::opt_dn(e, attrs::MS_DS_SOURCE_OBJECT_DN)?;
        // A bare phone context carries no kind: an auto attendant source says AA, else SA.
        let kind = oip.kind.unwrap_or_else(|| {
            let in_aa_container = source_object
                .as_ref()
                .and_then(Dn::parent)
                .is_some_and(|p| {
                    p.rdn_value().is_some_and(|v| {
                        v.eq_ignore_ascii_case(super::organization::AUTO_ATTENDANT_CONTAINER)
                    })
                });
            if in_aa_container {
                ContactKind::AutoAttendant
            } else {
                ContactKind::SubscriberAccess
            }
        });
        let source_object_type = read::opt_i64(e, attrs::MSRTCSIP_SOURCE_OBJECT_TYPE)?.map(|v| {
            if v == EX_UM_SOURCE_OBJECT_TYPE_UNSIGNED {
                EX_UM_SOURCE_OBJECT_TYPE
            } else {
                v
            }
        });
        Ok(ExUmContact {
            dn: e.dn.clone(),
            kind,
            display_name: read::opt_str(e, attrs::DISPLAY_NAME)?,
            description: read::opt_str(e, attrs::DESCRIPTION)?,
            sip_address: read::req_str(e, attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, CLASS)?,
            line_uri,
            telephone_number: read::opt_str(e, attrs::TELEPHONE_NUMBER)?,
            home_pool: read::req_dn(e, attrs::MSRTCSIP_PRIMARY_HOME_SERVER, CLASS)?,
            enabled: read::opt_bool(e, attrs::MSRTCSIP_USER_ENABLED)?.unwrap_or(false),
            option_flags: read::opt_i64(e, attrs::MSRTCSIP_OPTION_FLAGS)?.unwrap_or(0),
            source_object_type,
            source_object,
            phone_context: oip.phone_context,
        })
    }

    /// The `otherIPPhone` value this contact is written with.
    pub fn other_ip_phone_value(&self) -> OtherIpPhone {
        OtherIpPhone::new(self.kind, &self.sip_address, &self.phone_context)
    }

    /// The SIP address without `sip:`.
    pub fn sip_user(&self) -> &str {
        strip_sip(&self.sip_address)
    }

    /// The entry new-contact adds at `dn`: exactly the attributes domain.md A.4 lists (plus
    /// objectClass and cn); optional ones only when set.
    pub fn to_entry(&self, dn: &Dn) -> Entry {
        let mut e = Entry::new(dn.clone());
        e.set(
            attrs::OBJECT_CLASS,
            [
                attrs::OC_TOP,
                attrs::OC_PERSON,
                attrs::OC_ORGANIZATIONAL_PERSON,
                attrs::OC_CONTACT,
            ]
            .iter()
            .map(|c| c.as_bytes().to_vec())
            .collect(),
        );
        if let Some(cn) = dn.rdn_value() {
            e.set_str(attrs::CN, cn);
        }
        if let Some(d) = &self.display_name {
            e.set_str(attrs::DISPLAY_NAME, d);
        }
        if let Some(d) = &self.description {
            e.set_str(attrs::DESCRIPTION, d);
        }
        e.set_str(attrs::MSRTCSIP_PRIMARY_USER_ADDRESS, &self.sip_address);
        e.set_str(attrs::MSRTCSIP_LINE, &self.line_uri.to_string());
        if let Some(t) = &self.telephone_number {
            e.set_str(attrs::TELEPHONE_NUMBER, t);
        }
        e.set_str(
            attrs::MSRTCSIP_PRIMARY_HOME_SERVER,
            &self.home_pool.to_string(),
        );
        e.set_str(
            attrs::MSRTCSIP_USER_ENABLED,
            read::render_bool(self.enabled),
        );
        e.set_str(attrs::MSRTCSIP_OPTION_FLAGS, &self.option_flags.to_string());
        if let Some(t) = self.source_object_type {
            e.set_str(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE, &t.to_string());
        }
        if let Some(s) = &self.source_object {
            e.set_str(attrs::MS_DS_SOURCE_OBJECT_DN, &s.to_string());
        }
        e.set_str(
            attrs::OTHER_IP_PHONE,
            &self.other_ip_phone_value().to_string(),
        );
        e
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ORG: &str =
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    const POOL: &str = "CN=1:1,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com";
    const OU: &str = "OU=RTC Special Accounts,DC=contoso,DC=com";

    fn spec(kind: ContactKind) -> ContactSpec {
        let source = match kind {
            ContactKind::SubscriberAccess => format!("CN=LOC801,CN=UM DialPlan Container,{ORG}"),
            ContactKind::AutoAttendant => format!("CN=MainAA,CN=UM AutoAttendant Container,{ORG}"),
        };
        ContactSpec {
            kind,
            sip_address: "sip:loc801-sa@contoso.com".into(),
            display_number: "+96265519999".into(),
            registrar_pool: Dn::parse(POOL).unwrap(),
            source: Dn::parse(&source).unwrap(),
            source_name: Dn::parse(&source).unwrap().rdn_value().unwrap().to_string(),
            phone_context: "LOC801.contoso.com".into(),
            display_name: None,
            description: Some("OVA for LOC801".into()),
        }
    }

    #[test]
    fn new_cn_is_a_braced_guid() {
        let cn = ExUmContact::new_cn();
        assert_eq!(cn.len(), 38);
        assert!(cn.starts_with('{') && cn.ends_with('}'));
        assert!(uuid::Uuid::parse_str(&cn[1..37]).is_ok());
        assert_ne!(cn, ExUmContact::new_cn());
    }

    #[test]
    fn to_entry_writes_exactly_the_a4_attributes() {
        let dn = Dn::parse(OU).unwrap().child("CN", &ExUmContact::new_cn());
        let c = ExUmContact::from_spec(dn.clone(), &spec(ContactKind::SubscriberAccess)).unwrap();
        let e = c.to_entry(&dn);
        let names: Vec<&str> = e.attributes().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "objectClass",
                "cn",
                "displayName",
                "description",
                "msRTCSIP-PrimaryUserAddress",
                "msRTCSIP-Line",
                "telephoneNumber",
                "msRTCSIP-PrimaryHomeServer",
                "msRTCSIP-UserEnabled",
                "msRTCSIP-OptionFlags",
                "msRTCSIP-SourceObjectType",
                "msDS-SourceObjectDN",
                "otherIPPhone",
            ]
        );
        assert_eq!(
            e.first(attrs::DISPLAY_NAME),
            Some("LOC801 Subscriber Access")
        );
        assert_eq!(e.first(attrs::MSRTCSIP_LINE), Some("tel:+96265519999"));
        assert_eq!(e.first(attrs::TELEPHONE_NUMBER), Some("+96265519999"));
        assert_eq!(e.first(attrs::MSRTCSIP_USER_ENABLED), Some("TRUE"));
        assert_eq!(e.first(attrs::MSRTCSIP_OPTION_FLAGS), Some("384"));
        assert_eq!(
            e.first(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE),
            Some("-1879048192")
        );
        assert_eq!(
            e.first(attrs::OTHER_IP_PHONE),
            Some("SA:sip:loc801-sa@contoso.com;phone-context=LOC801.contoso.com")
        );
        assert_eq!(e.first(attrs::MSRTCSIP_PRIMARY_HOME_SERVER), Some(POOL));
        assert!(crate::directory::model::check_entry(&e).is_ok());
    }

    #[test]
    fn round_trip_both_kinds() {
        for kind in [ContactKind::SubscriberAccess, ContactKind::AutoAttendant] {
            let dn = Dn::parse(OU)
                .unwrap()
                .child("CN", "{1bf6208d-2847-45d0-828f-636f14da858b}");
            let c = ExUmContact::from_spec(dn.clone(), &spec(kind)).unwrap();
            let e = c.to_entry(&dn);
            assert!(ExUmContact::is_ex_um_contact(&e));
            assert_eq!(ExUmContact::from_entry(&e).unwrap(), c);
        }
    }

    #[test]
    fn auto_attendant_default_display_name_and_marker() {
        let dn = Dn::parse(OU).unwrap().child("CN", "{x}");
        let c = ExUmContact::from_spec(dn.clone(), &spec(ContactKind::AutoAttendant)).unwrap();
        assert_eq!(c.display_name.as_deref(), Some("MainAA Auto Attendant"));
        assert!(c
            .to_entry(&dn)
            .first(attrs::OTHER_IP_PHONE)
            .unwrap()
            .starts_with("AA:sip:"));
    }

    #[test]
    fn from_spec_validates_sip_and_number() {
        let dn = Dn::parse(OU).unwrap().child("CN", "{x}");
        let mut s = spec(ContactKind::SubscriberAccess);
        s.sip_address = "loc801-sa@contoso.com".into();
        let err = ExUmContact::from_spec(dn.clone(), &s).unwrap_err();
        assert!(err.to_string().contains("sip:"), "{err}");
        let mut s = spec(ContactKind::SubscriberAccess);
        s.display_number = "+06265519999".into();
        assert_eq!(
            ExUmContact::from_spec(dn, &s).unwrap_err().value,
            "+06265519999"
        );
    }

    #[test]
    fn other_ip_phone_formats() {
        let o =
            OtherIpPhone::parse("sa:SIP:loc801-sa@contoso.com;Phone-Context=LOC801.contoso.com")
                .unwrap();
        assert_eq!(o.kind, Some(ContactKind::SubscriberAccess));
        assert_eq!(o.sip_address.as_deref(), Some("loc801-sa@contoso.com"));
        assert_eq!(
            o.to_string(),
            "SA:sip:loc801-sa@contoso.com;phone-context=LOC801.contoso.com"
        );
        let bare = OtherIpPhone::parse(" LOC801.contoso.com ").unwrap();
        assert_eq!(bare.kind, None);
        assert_eq!(bare.sip_address, None);
        assert_eq!(bare.to_string(), "LOC801.contoso.com");
        let unmarked = OtherIpPhone::parse("sip:a@b;phone-context=c").unwrap();
        assert_eq!(unmarked.kind, None);
        assert_eq!(unmarked.to_string(), "sip:a@b;phone-context=c");
        for bad in [
            "",
            "SA:",
            "SA:LOC801.contoso.com",
            "AA:a@b;phone-context=c",
            "SA:sip:;phone-context=c",
            "SA:sip:a@b;phone-context=",
            "sip:a@b",
            "XA:sip:a@b;phone-context=c",
            "two words",
        ] {
            assert_eq!(OtherIpPhone::parse(bad).unwrap_err().value, bad, "{bad}");
        }
    }

    #[test]
    fn reads_a_bare_phone_context_contact() {
        let dn = Dn::parse(OU).unwrap().child("CN", "{x}");
        let c = ExUmContact::from_spec(dn.clone(), &spec(ContactKind::AutoAttendant)).unwrap();
        let mut e = c.to_entry(&dn);
        e.set(
            attrs::OTHER_IP_PHONE,
            vec![b"+1 425 555 0100".to_vec(), b"LOC801.contoso.com".to_vec()],
        );
        e.set_str(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE, "2415919104");
        let back = ExUmContact::from_entry(&e).unwrap();
        assert_eq!(back.kind, ContactKind::AutoAttendant, "from the source DN");
        assert_eq!(back.phone_context, "LOC801.contoso.com");
        assert_eq!(back.source_object_type, Some(EX_UM_SOURCE_OBJECT_TYPE));
        e.remove(attrs::MS_DS_SOURCE_OBJECT_DN);
        assert_eq!(
            ExUmContact::from_entry(&e).unwrap().kind,
            ContactKind::SubscriberAccess
        );
    }

    #[test]
    fn errors_name_dn_and_attribute() {
        let dn = Dn::parse(OU).unwrap().child("CN", "{x}");
        let c = ExUmContact::from_spec(dn.clone(), &spec(ContactKind::SubscriberAccess)).unwrap();
        let full = c.to_entry(&dn);

        let mut e = full.clone();
        e.remove(attrs::OTHER_IP_PHONE);
        assert_eq!(
            ExUmContact::from_entry(&e).unwrap_err().to_string(),
            format!("{dn}: otherIPPhone is required on contact (missing)")
        );
        let mut e = full.clone();
        e.set_str(attrs::OTHER_IP_PHONE, "SA:nonsense");
        let msg = ExUmContact::from_entry(&e).unwrap_err().to_string();
        assert!(
            msg.contains("otherIPPhone has value 'SA:nonsense'"),
            "{msg}"
        );
        let mut e = full.clone();
        e.set_str(attrs::MSRTCSIP_LINE, "+96265519999");
        let msg = ExUmContact::from_entry(&e).unwrap_err().to_string();
        assert!(
            msg.contains("msRTCSIP-Line has value '+96265519999'"),
            "{msg}"
        );
        let mut e = full;
        e.remove(attrs::MSRTCSIP_PRIMARY_HOME_SERVER);
        assert!(ExUmContact::from_entry(&e)
            .unwrap_err()
            .to_string()
            .contains("msRTCSIP-PrimaryHomeServer is required on contact"));
    }

    #[test]
    fn json_field_names() {
        let dn = Dn::parse(OU).unwrap().child("CN", "{x}");
        let c = ExUmContact::from_spec(dn, &spec(ContactKind::SubscriberAccess)).unwrap();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kind"], "subscriber_access");
        assert_eq!(json["sip_address"], "sip:loc801-sa@contoso.com");
        assert_eq!(json["line_uri"]["number"], "+96265519999");
        assert_eq!(json["home_pool"], POOL);
        assert_eq!(json["phone_context"], "LOC801.contoso.com");
    }

    proptest::proptest! {
        #[test]
        fn other_ip_phone_round_trip(
            kind in proptest::option::of(proptest::prop_oneof![
                proptest::strategy::Just(ContactKind::SubscriberAccess),
                proptest::strategy::Just(ContactKind::AutoAttendant),
            ]),
            user in "[a-z0-9.-]{1,12}",
            ctx in "[A-Za-z0-9][A-Za-z0-9.-]{0,20}",
        ) {
            let o = OtherIpPhone {
                kind,
                sip_address: Some(format!("{user}@contoso.com")),
                phone_context: ctx,
            };
            proptest::prop_assert_eq!(OtherIpPhone::parse(&o.to_string()).unwrap(), o);
        }

        #[test]
        fn other_ip_phone_parse_never_panics(s in "\\PC{0,40}") {
            let _ = OtherIpPhone::parse(&s);
        }
    }

    #[test]
    fn ordinary_contacts_are_not_ex_um_contacts() {
        let mut e = Entry::new(Dn::parse(OU).unwrap().child("CN", "Vendor"));
        e.set_str(attrs::OBJECT_CLASS, "contact");
        e.set_str(attrs::OTHER_IP_PHONE, "LOC801.contoso.com");
        assert!(!ExUmContact::is_ex_um_contact(&e));
        e.set_str(attrs::MSRTCSIP_SOURCE_OBJECT_TYPE, "-1879048192");
        assert!(ExUmContact::is_ex_um_contact(&e));
        e.set_str(attrs::OBJECT_CLASS, "user");
        assert!(!ExUmContact::is_ex_um_contact(&e));
    }
}
