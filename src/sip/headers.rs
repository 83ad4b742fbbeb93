//! Typed headers rsip 0.4 has no type for, hand-written for that reason: `Diversion` and
//! `CC-Diversion` (RFC 5806), `History-Info` (RFC 4244/7044), `Ms-Exchange-Command` (Lync/OC
//! features), `Referred-By` (RFC 3892), plus the name-addr and URI splitting they share
//! ([`NameAddr`], [`SipUriParts`]). Each has `parse` and `Display` (canonical form that parses
//! back to an equal value). Also owns the Exchange UM reading rules for these headers (called
//! party from Diversion, diverted-from target from History-Info), phrased over header values
//! only. Does not own header lookup in a message (`lookup::find_headers`) nor what UM does with
//! the result.

use std::fmt;

use super::normalize::split_list;
use super::SipError;

fn err(header: &str, value: &str, expected: &str) -> SipError {
    SipError::HeaderValue {
        name: header.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// Quotes `s` as an RFC 3261 quoted-string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Reads a quoted-string at the start of `s`: (unescaped text, rest after the closing quote).
fn take_quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, s.get(i + 2..)?)),
            c => out.push(c),
        }
    }
    None
}

/// Percent-decodes (RFC 3986); invalid escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but unreserved characters (for URI header values).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A generic parameter list `;name[=value]`, values kept as written (quoted strings keep their
/// quotes so Display reproduces them).
pub type Params = Vec<(String, Option<String>)>;

/// Parses `;a=b;c` (the leading `;` included) into params. Quoted values may contain `;`.
fn parse_params(header: &str, whole: &str, mut s: &str) -> Result<Params, SipError> {
    let expected = "`;name[=value]` parameters with token names";
    let mut params = Params::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Ok(params);
        }
        s = s
            .strip_prefix(';')
            .ok_or_else(|| err(header, whole, expected))?
            .trim_start();
        let name_len = s.bytes().take_while(|&b| is_token_byte(b)).count();
        let name = s.get(..name_len).unwrap_or_default();
        if name.is_empty() {
            return Err(err(header, whole, expected));
        }
        s = s.get(name_len..).unwrap_or_default().trim_start();
        let value = if let Some(rest) = s.strip_prefix('=') {
            let rest = rest.trim_start();
            if rest.starts_with('"') {
                let (_, after) =
                    take_quoted(rest).ok_or_else(|| err(header, whole, "a closing quote"))?;
                let raw = rest.get(..rest.len() - after.len()).unwrap_or_default();
                s = after;
                Some(raw.to_string())
            } else {
                // token, host (IPv6 reference in brackets included)
                let len = rest
                    .bytes()
                    .take_while(|&b| is_token_byte(b) || b"[]:".contains(&b))
                    .count();
                if len == 0 {
                    return Err(err(header, whole, "a parameter value after `=`"));
                }
                s = rest.get(len..).unwrap_or_default();
                Some(rest.get(..len).unwrap_or_default().to_string())
            }
        } else {
            None
        };
        params.push((name.to_string(), value));
    }
}

fn write_params(f: &mut fmt::Formatter<'_>, params: &Params) -> fmt::Result {
    for (name, value) in params {
        match value {
            Some(v) => write!(f, ";{name}={v}")?,
            None => write!(f, ";{name}")?,
        }
    }
    Ok(())
}

/// Value of param `name` (case-insensitive), quotes removed.
fn find_param(params: &[(String, Option<String>)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| match v {
            Some(v) if v.starts_with('"') => take_quoted(v).map(|(t, _)| t).unwrap_or_default(),
            Some(v) => v.clone(),
            None => String::new(),
        })
}

/// `[display-name] <URI> *(;param)` or `addr-spec *(;param)` (RFC 3261 20.10, 25.1). The URI
/// is kept as text; [`SipUriParts`] splits it. Display always writes the `<URI>` form and
/// quotes the display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAddr {
    /// Display name, unquoted and unescaped.
    pub display: Option<String>,
    pub uri: String,
    /// Header parameters (after the URI), values as written.
    pub params: Params,
}

impl NameAddr {
    pub fn new(uri: &str) -> NameAddr {
        NameAddr {
            display: None,
            uri: uri.to_string(),
            params: Params::new(),
        }
    }

    /// Parses one value of header `header` (the name only labels errors).
    pub fn parse(header: &str, value: &str) -> Result<NameAddr, SipError> {
        let s = value.trim();
        let (display, rest) = if s.starts_with('"') {
            let (text, rest) = take_quoted(s)
                .ok_or_else(|| err(header, value, "a display name with a closing quote"))?;
            let rest = rest.trim_start();
            if !rest.starts_with('<') {
                return Err(err(header, value, "`<URI>` after the quoted display name"));
            }
            (Some(text), rest)
        } else if let Some(lt) = s.find('<') {
            let name = s.get(..lt).unwrap_or_default().trim();
            // Unquoted display name: tokens separated by LWS.
            if !name.split_whitespace().all(is_token) {
                return Err(err(
                    header,
                    value,
                    "a display name of tokens, or a quoted one",
                ));
            }
            let display =
                (!name.is_empty()).then(|| name.split_whitespace().collect::<Vec<_>>().join(" "));
            (display, s.get(lt..).unwrap_or_default())
        } else {
            (None, s)
        };
        let (uri, params_text) = if let Some(inner) = rest.strip_prefix('<') {
            let gt = inner
                .find('>')
                .ok_or_else(|| err(header, value, "`>` closing the URI"))?;
            let uri = inner.get(..gt).unwrap_or_default();
            (uri, inner.get(gt + 1..).unwrap_or_default())
        } else {
            // addr-spec: the URI ends at the first ';' (header params follow) and may not
            // contain '?' or ',' (RFC 3261 20.10).
            let end = rest.find(';').unwrap_or(rest.len());
            let uri = rest.get(..end).unwrap_or_default();
            if uri.contains(['?', ',']) {
                return Err(err(header, value, "a URI with `?` or `,` enclosed in <>"));
            }
            (uri, rest.get(end..).unwrap_or_default())
        };
        if uri.is_empty()
            || uri
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
            || !uri.contains(':')
        {
            return Err(err(
                header,
                value,
                "an absolute URI without whitespace (scheme:...)",
            ));
        }
        Ok(NameAddr {
            display,
            uri: uri.to_string(),
            params: parse_params(header, value, params_text)?,
        })
    }

    /// Parses a comma-separated list of name-addrs (commas in quotes and <> do not split).
    pub fn parse_list(header: &str, value: &str) -> Result<Vec<NameAddr>, SipError> {
        let parts = split_list(value.as_bytes())
            .ok_or_else(|| err(header, value, "comma-separated values, none empty"))?;
        parts
            .into_iter()
            .map(|p| NameAddr::parse(header, &String::from_utf8_lossy(p)))
            .collect()
    }

    /// Header parameter `name` (case-insensitive), unquoted; `Some("")` for a flag.
    pub fn param(&self, name: &str) -> Option<String> {
        find_param(&self.params, name)
    }

    /// `NameAddr::parse(header, value)?.param(name)` for a value of a message that passed
    /// `message::validate` (the To or From tag of every request and response): a value
    /// without a quote is read in place, its parameters being what follows the `>` of a
    /// bracketed URI or the first `;` of a bare one; a value with a quote (a quoted display
    /// name or parameter could hold `>` or `;`) takes the full parse. The call router asks
    /// for a To tag four times per INVITE.
    pub fn param_of(header: &str, value: &str, name: &str) -> Option<String> {
        if value.contains('"') {
            return NameAddr::parse(header, value).ok()?.param(name);
        }
        let s = value.trim();
        let params = match s.find('<') {
            Some(lt) => s.get(lt..).and_then(|r| r.find('>').map(|gt| lt + gt + 1)),
            None => s.find(';'),
        }
        .and_then(|start| s.get(start..))?;
        params.split(';').find_map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    /// The URI split into its parts.
    pub fn uri_parts(&self) -> Result<SipUriParts, SipError> {
        SipUriParts::parse(&self.uri)
    }
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.display {
            write!(f, "{} ", quote(d))?;
        }
        write!(f, "<{}>", self.uri)?;
        write_params(f, &self.params)
    }
}

/// A URI split the way UM reads it: `scheme:[user[:password]@]host[:port][;params][?headers]`
/// for sip/sips, `tel:number[;params]`, and scheme plus opaque rest for anything else. rsip
/// 0.4's `Uri` cannot be used: it takes `j.user@host` for a host and has no URI headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipUriParts {
    /// Lowercased scheme (`sip`, `sips`, `tel`, ...).
    pub scheme: String,
    /// User part as written (escapes kept), for tel: the number.
    pub user: Option<String>,
    /// Host (IPv6 references keep their brackets); empty for tel: and foreign schemes.
    pub host: String,
    pub port: Option<u16>,
    pub params: Params,
    /// URI headers (`?name=value&...`), percent-decoded.
    pub headers: Vec<(String, String)>,
    /// For schemes other than sip/sips/tel: everything after the colon.
    pub opaque: Option<String>,
}

impl SipUriParts {
    pub fn is_sip(&self) -> bool {
        self.scheme == "sip" || self.scheme == "sips"
    }

    pub fn parse(uri: &str) -> Result<SipUriParts, SipError> {
        let bad = |expected: &str| err("URI", uri, expected);
        let (scheme, rest) = uri
            .split_once(':')
            .ok_or_else(|| bad("`scheme:` at the start"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err(bad("a URI scheme"));
        }
        let mut parts = SipUriParts {
            scheme: scheme.clone(),
            user: None,
            host: String::new(),
            port: None,
            params: Params::new(),
            headers: Vec::new(),
            opaque: None,
        };
        if scheme == "tel" {
            let end = rest.find(';').unwrap_or(rest.len());
            let number = rest.get(..end).unwrap_or_default();
            if number.is_empty() {
                return Err(bad("a telephone number after `tel:`"));
            }
            parts.user = Some(number.to_string());
            parts.params = parse_params("URI", uri, rest.get(end..).unwrap_or_default())?;
            return Ok(parts);
        }
        if !parts.is_sip() {
            parts.opaque = Some(rest.to_string());
            return Ok(parts);
        }
        // The user part may contain ';', '?' and ':' (RFC 4475 semiuri, intmeth) while '@'
        // cannot appear unescaped after it, so split at the last '@' first.
        let (user, after_user) = match rest.rfind('@') {
            Some(at) => (
                Some(rest.get(..at).unwrap_or_default()),
                rest.get(at + 1..).unwrap_or_default(),
            ),
            None => (None, rest),
        };
        let (hostpart, headers) = match after_user.split_once('?') {
            Some((a, h)) => (a, Some(h)),
            None => (after_user, None),
        };
        if let Some(user) = user {
            if user.is_empty() {
                return Err(bad("a user part before `@`"));
            }
            parts.user = Some(user.to_string());
        }
        let end = hostpart.find(';').unwrap_or(hostpart.len());
        let hostport = hostpart.get(..end).unwrap_or_default();
        parts.params = parse_params("URI", uri, hostpart.get(end..).unwrap_or_default())?;
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let close = v6
                .find(']')
                .ok_or_else(|| bad("`]` closing the IPv6 reference"))?;
            let after = v6.get(close + 1..).unwrap_or_default();
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad("`:port` after `]`"))?,
                ),
            };
            (hostport.get(..close + 2).unwrap_or_default(), port)
        } else {
            match hostport.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.[]:_".contains(&b))
        {
            return Err(bad("a host name or IP address"));
        }
        parts.host = host.to_string();
        if let Some(p) = port {
            parts.port =
                Some(p.parse().map_err(|_| {
                    bad("a port number after `:` (an IPv6 address must be in [ ])")
                })?);
        }
        if let Some(h) = headers {
            for pair in h.split('&').filter(|p| !p.is_empty()) {
                let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
                parts.headers.push((percent_decode(n), percent_decode(v)));
            }
        }
        Ok(parts)
    }

    /// URI header `name` (case-insensitive), decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The URI without parameters and headers, lowercased where SIP compares case-insensitively
    /// (scheme, host): the key "equal to the final target" is decided on.
    pub fn identity(&self) -> String {
        match (&self.opaque, &self.user) {
            (Some(o), _) => format!("{}:{}", self.scheme, o),
            (None, Some(u)) if self.host.is_empty() => format!("{}:{}", self.scheme, u),
            (None, Some(u)) => format!("{}:{}@{}", self.scheme, u, self.host.to_ascii_lowercase()),
            (None, None) => format!("{}:{}", self.scheme, self.host.to_ascii_lowercase()),
        }
    }
}

/// Exchange's called-party rule (domain.md B.4.3) for one diverted URI: the user part of a
/// tel:/sip: URI (tel: with visual separators removed), truncated at the first `;` and the
/// first `:`. `None` for other schemes or a URI without user.
pub fn diverted_user(uri: &str) -> Option<String> {
    let parts = SipUriParts::parse(uri).ok()?;
    if !(parts.is_sip() || parts.scheme == "tel") {
        return None;
    }
    let user = percent_decode(parts.user.as_deref()?);
    let user = user.split(';').next().unwrap_or_default();
    let user = user.split(':').next().unwrap_or_default();
    let user: String = if parts.scheme == "tel" {
        user.chars().filter(|c| !"-.()".contains(*c)).collect()
    } else {
        user.to_string()
    };
    (!user.is_empty()).then_some(user)
}

/// The diversion reasons Exchange UM recognises (substring match, case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeDiversionReason {
    UserBusy,
    NoAnswer,
    Unconditional,
    Deflection,
    Unavailable,
}

impl ExchangeDiversionReason {
    pub fn from_reason(reason: &str) -> Option<ExchangeDiversionReason> {
        let r = reason.to_ascii_lowercase();
        [
            ("user-busy", Self::UserBusy),
            ("no-answer", Self::NoAnswer),
            ("unconditional", Self::Unconditional),
            ("deflection", Self::Deflection),
            ("unavailable", Self::Unavailable),
        ]
        .into_iter()
        .find(|(k, _)| r.contains(k))
        .map(|(_, v)| v)
    }
}

/// One Diversion value (RFC 5806): `name-addr *(;diversion-params)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiversionEntry {
    /// Display name and URI of the diverting party (its `params` stay empty; they are below).
    pub addr: NameAddr,
    pub reason: Option<String>,
    pub counter: Option<u32>,
    pub limit: Option<u32>,
    pub privacy: Option<String>,
    pub screen: Option<String>,
    /// Other parameters, values as written.
    pub other: Params,
}

impl DiversionEntry {
    pub fn new(uri: &str, reason: &str) -> DiversionEntry {
        DiversionEntry {
            addr: NameAddr::new(uri),
            reason: Some(reason.to_string()),
            counter: None,
            limit: None,
            privacy: None,
            screen: None,
            other: Params::new(),
        }
    }

    fn from_name_addr(header: &str, value: &str, mut addr: NameAddr) -> Result<Self, SipError> {
        let mut entry = DiversionEntry {
            addr: NameAddr {
                display: addr.display.take(),
                uri: std::mem::take(&mut addr.uri),
                params: Params::new(),
            },
            reason: None,
            counter: None,
            limit: None,
            privacy: None,
            screen: None,
            other: Params::new(),
        };
        for (name, raw) in addr.params {
            let unquoted = find_param(&[(name.clone(), raw.clone())], &name);
            let number = |v: &Option<String>| {
                v.as_deref()
                    .and_then(|v| v.parse::<u32>().ok())
                    .ok_or_else(|| err(header, value, &format!("`{name}` as a number 0..2^32")))
            };
            match name.to_ascii_lowercase().as_str() {
                "reason" => entry.reason = unquoted,
                "counter" => entry.counter = Some(number(&unquoted)?),
                "limit" => entry.limit = Some(number(&unquoted)?),
                "privacy" => entry.privacy = unquoted,
                "screen" => entry.screen = unquoted,
                _ => entry.other.push((name, raw)),
            }
        }
        Ok(entry)
    }

    /// Exchange's called party for this entry (see [`diverted_user`]).
    pub fn called_party(&self) -> Option<String> {
        diverted_user(&self.addr.uri)
    }

    pub fn exchange_reason(&self) -> Option<ExchangeDiversionReason> {
        self.reason
            .as_deref()
            .and_then(ExchangeDiversionReason::from_reason)
    }
}

/// Writes a param value as a token when it is one, else as a quoted string.
fn token_or_quoted(v: &str) -> String {
    if is_token(v) {
        v.to_string()
    } else {
        quote(v)
    }
}

impl fmt::Display for DiversionEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.addr)?;
        if let Some(r) = &self.reason {
            write!(f, ";reason={}", token_or_quoted(r))?;
        }
        if let Some(c) = self.counter {
            write!(f, ";counter={c}")?;
        }
        if let Some(l) = self.limit {
            write!(f, ";limit={l}")?;
        }
        if let Some(p) = &self.privacy {
            write!(f, ";privacy={}", token_or_quoted(p))?;
        }
        if let Some(s) = &self.screen {
            write!(f, ";screen={}", token_or_quoted(s))?;
        }
        write_params(f, &self.other)
    }
}

/// The `Diversion` header (RFC 5806): one or more comma-separated entries, topmost (most
/// recent diversion) first. Several header lines are parsed by joining them with commas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diversion {
    pub entries: Vec<DiversionEntry>,
}

impl Diversion {
    const NAME: &'static str = "Diversion";

    pub fn parse(value: &str) -> Result<Diversion, SipError> {
        Self::parse_named(Self::NAME, value)
    }

    fn parse_named(header: &str, value: &str) -> Result<Diversion, SipError> {
        let entries = NameAddr::parse_list(header, value)?
            .into_iter()
            .map(|a| DiversionEntry::from_name_addr(header, value, a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Diversion { entries })
    }

    /// All `Diversion` header lines of a message, in order.
    pub fn from_headers(headers: &rsip::Headers) -> Result<Option<Diversion>, SipError> {
        Self::from_named(Self::NAME, headers)
    }

    fn from_named(header: &str, headers: &rsip::Headers) -> Result<Option<Diversion>, SipError> {
        let values = super::lookup::find_headers(headers, header);
        if values.is_empty() {
            return Ok(None);
        }
        Self::parse_named(header, &values.join(", ")).map(Some)
    }

    /// Exchange's called parties (domain.md B.4.3): each entry's diverted user, in order,
    /// duplicates removed.
    pub fn called_parties(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for user in self.entries.iter().filter_map(DiversionEntry::called_party) {
            if !out.contains(&user) {
                out.push(user);
            }
        }
        out
    }

    /// The first called party (topmost diversion).
    pub fn called_party(&self) -> Option<String> {
        self.called_parties().into_iter().next()
    }
}

impl fmt::Display for Diversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// `CC-Diversion`: the same syntax as Diversion under another name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CcDiversion(pub Diversion);

impl CcDiversion {
    const NAME: &'static str = "CC-Diversion";

    pub fn parse(value: &str) -> Result<CcDiversion, SipError> {
        Diversion::parse_named(Self::NAME, value).map(CcDiversion)
    }

    pub fn from_headers(headers: &rsip::Headers) -> Result<Option<CcDiversion>, SipError> {
        Diversion::from_named(Self::NAME, headers).map(|d| d.map(CcDiversion))
    }
}

impl std::ops::Deref for CcDiversion {
    type Target = Diversion;
    fn deref(&self) -> &Diversion {
        &self.0
    }
}

impl fmt::Display for CcDiversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One History-Info entry (RFC 7044): `name-addr *(;index=..|;rc=..|;mp=..|;np=..|param)`.
/// The Reason of the retargeting travels inside the URI as an escaped header
/// (`<sip:a@b?Reason=SIP%3Bcause%3D486>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryInfoEntry {
    /// The hi-targeted-to-uri with display name; `addr.params` holds the non-index params.
    pub addr: NameAddr,
    /// `index` (e.g. `1.1.2`), if present.
    pub index: Option<String>,
}

impl HistoryInfoEntry {
    pub fn new(uri: &str, index: &str) -> HistoryInfoEntry {
        HistoryInfoEntry {
            addr: NameAddr::new(uri),
            index: Some(index.to_string()),
        }
    }

    /// The unescaped `Reason` header from the URI, e.g. `SIP;cause=486`.
    pub fn reason(&self) -> Option<String> {
        let parts = self.addr.uri_parts().ok()?;
        parts.header("Reason").map(str::to_string)
    }

    /// The `cause` of the Reason (e.g. 486, 408, 302).
    pub fn cause(&self) -> Option<u16> {
        let reason = self.reason()?;
        reason.split(';').skip(1).find_map(|p| {
            let (n, v) = p.split_once('=')?;
            n.trim()
                .eq_ignore_ascii_case("cause")
                .then(|| v.trim().trim_matches('"').parse().ok())?
        })
    }

    /// Returns a copy with `reason` (e.g. `SIP;cause=486;text="Busy Here"`) escaped into the
    /// URI as its `Reason` header (replacing an existing one).
    pub fn with_reason(&self, reason: &str) -> HistoryInfoEntry {
        let base = self.addr.uri.split('?').next().unwrap_or_default();
        let mut others: Vec<String> = self
            .addr
            .uri
            .split_once('?')
            .map(|(_, h)| {
                h.split('&')
                    .filter(|p| {
                        !p.split('=')
                            .next()
                            .unwrap_or_default()
                            .eq_ignore_ascii_case("Reason")
                    })
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        others.push(format!("Reason={}", percent_encode(reason)));
        let mut out = self.clone();
        out.addr.uri = format!("{base}?{}", others.join("&"));
        out
    }

    /// URI identity (no params/headers) for comparisons.
    fn target(&self) -> String {
        self.addr
            .uri_parts()
            .map(|p| p.identity())
            .unwrap_or_else(|_| self.addr.uri.clone())
    }
}

impl fmt::Display for HistoryInfoEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.addr)?;
        if let Some(i) = &self.index {
            write!(f, ";index={i}")?;
        }
        Ok(())
    }
}

/// The `History-Info` header (RFC 4244/7044), entries in header order (the order they were
/// added; the last is the current target).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryInfo {
    pub entries: Vec<HistoryInfoEntry>,
}

impl HistoryInfo {
    const NAME: &'static str = "History-Info";

    pub fn parse(value: &str) -> Result<HistoryInfo, SipError> {
        let mut entries = Vec::new();
        for mut addr in NameAddr::parse_list(Self::NAME, value)? {
            let index = addr.param("index");
            if let Some(i) = &index {
                let ok = !i.is_empty()
                    && i.split('.')
                        .all(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    return Err(err(Self::NAME, value, "index as dotted digits like 1.1.2"));
                }
            }
            addr.params
                .retain(|(n, _)| !n.eq_ignore_ascii_case("index"));
            entries.push(HistoryInfoEntry { addr, index });
        }
        Ok(HistoryInfo { entries })
    }

    pub fn from_headers(headers: &rsip::Headers) -> Result<Option<HistoryInfo>, SipError> {
        let values = super::lookup::find_headers(headers, Self::NAME);
        if values.is_empty() {
            return Ok(None);
        }
        Self::parse(&values.join(", ")).map(Some)
    }

    /// Exchange's rule (domain.md B.4.3): drop the trailing entries equal to the final target
    /// (the UM pilot), drop entries without a Reason, and the last one left is the diverted-from
    /// target (the user's extension/URI). `None` if nothing is left.
    pub fn diverted_from(&self) -> Option<&HistoryInfoEntry> {
        let last = self.entries.last()?.target();
        let mut end = self.entries.len();
        while end > 0
            && self
                .entries
                .get(end - 1)
                .is_some_and(|e| e.target() == last)
        {
            end -= 1;
        }
        self.entries
            .get(..end)?
            .iter()
            .rfind(|e| e.reason().is_some())
    }

    /// The called party per Exchange: [`diverted_user`] of [`HistoryInfo::diverted_from`].
    pub fn called_party(&self) -> Option<String> {
        diverted_user(&self.diverted_from()?.addr.uri)
    }
}

impl fmt::Display for HistoryInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// `Ms-Exchange-Command`: `;`-separated tokens sent by Lync for OC features: `skip-pin` and
/// `itemId="<EWS id>"`; anything else is kept in `other` as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MsExchangeCommand {
    pub skip_pin: bool,
    pub item_id: Option<String>,
    pub other: Vec<String>,
}

impl MsExchangeCommand {
    const NAME: &'static str = "Ms-Exchange-Command";

    pub fn parse(value: &str) -> Result<MsExchangeCommand, SipError> {
        let mut cmd = MsExchangeCommand::default();
        let mut rest = value.trim();
        while !rest.is_empty() {
            // One item: up to the next ';' outside quotes.
            let mut end = rest.len();
            let mut in_quote = false;
            let mut escaped = false;
            for (i, c) in rest.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' if in_quote => escaped = true,
                    '"' => in_quote = !in_quote,
                    ';' if !in_quote => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            if in_quote {
                return Err(err(Self::NAME, value, "a closing quote"));
            }
            let item = rest.get(..end).unwrap_or_default().trim();
            rest = rest.get(end + 1..).unwrap_or_default().trim_start();
            if item.is_empty() {
                continue;
            }
            let (name, val) = match item.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (item, None),
            };
            match (name.to_ascii_lowercase().as_str(), val) {
                ("skip-pin", None) => cmd.skip_pin = true,
                ("itemid", Some(v)) => {
                    let id = if v.starts_with('"') {
                        take_quoted(v)
                            .filter(|(_, after)| after.trim().is_empty())
                            .map(|(t, _)| t)
                            .ok_or_else(|| err(Self::NAME, value, "itemId=\"<id>\""))?
                    } else {
                        v.to_string()
                    };
                    cmd.item_id = Some(id);
                }
                _ => cmd.other.push(item.to_string()),
            }
        }
        Ok(cmd)
    }

    pub fn from_headers(headers: &rsip::Headers) -> Result<Option<MsExchangeCommand>, SipError> {
        super::lookup::find_header(headers, Self::NAME)
            .map(|v| Self::parse(&v))
            .transpose()
    }
}

impl fmt::Display for MsExchangeCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = Vec::new();
        if self.skip_pin {
            items.push("skip-pin".into());
        }
        if let Some(id) = &self.item_id {
            items.push(format!("itemId={}", quote(id)));
        }
        items.extend(self.other.iter().cloned());
        write!(f, "{}", items.join(";"))
    }
}

/// `Referred-By` (RFC 3892): `name-addr *(;cid=..|param)`; compact form `b`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferredBy {
    /// The referrer; `addr.params` holds every parameter (including `cid`).
    pub addr: NameAddr,
}

impl ReferredBy {
    const NAME: &'static str = "Referred-By";

    pub fn parse(value: &str) -> Result<ReferredBy, SipError> {
        Ok(ReferredBy {
            addr: NameAddr::parse(Self::NAME, value)?,
        })
    }

    pub fn from_headers(headers: &rsip::Headers) -> Result<Option<ReferredBy>, SipError> {
        super::lookup::find_header(headers, Self::NAME)
            .map(|v| Self::parse(&v))
            .transpose()
    }

    /// The `cid` parameter (Content-ID of an attached Referred-By token).
    pub fn cid(&self) -> Option<String> {
        self.addr.param("cid")
    }
}

impl fmt::Display for ReferredBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.addr.fmt(f)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn param_of_reads_what_the_full_parse_reads() {
        for value in [
            "<sip:bob@b>;tag=1918181833n",
            "Bob <sip:bob@b;tag=inuri>;tag=out",
            "<sip:bob@b;tag=inuri>",
            "sip:bob@b;tag=bare",
            "sip:bob@b",
            " <sip:a@b> ; TAG = x ; other",
            "<sip:a@b>;lr;tag",
            "\"x>;tag=q\" <sip:a@b>;tag=real",
            "<sip:a@b>;foo=\"a;tag=no\";tag=yes",
            "Bob Smith <sips:b@h:5061;transport=tls>;expires=5;Tag=T1",
        ] {
            let full = NameAddr::parse("To", value)
                .ok()
                .and_then(|a| a.param("tag"));
            assert_eq!(NameAddr::param_of("To", value, "tag"), full, "{value}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn diversion_example_from_domain_md() {
        let d = Diversion::parse(
            "<sip:+14255550123@contoso.com;user=phone>;reason=no-answer;counter=1;privacy=off",
        )
        .unwrap();
        let e = &d.entries[0];
        assert_eq!(e.reason.as_deref(), Some("no-answer"));
        assert_eq!(e.counter, Some(1));
        assert_eq!(e.privacy.as_deref(), Some("off"));
        assert_eq!(e.exchange_reason(), Some(ExchangeDiversionReason::NoAnswer));
        assert_eq!(d.called_party().as_deref(), Some("+14255550123"));
        assert_eq!(Diversion::parse(&d.to_string()).unwrap(), d);
    }

    #[test]
    fn diversion_lists_and_called_party_rule() {
        let d = Diversion::parse(
            "\"Alice\" <tel:+1-425-555-0123;phone-context=+1>;reason=\"user-busy\";screen=no, \
             <sip:alice:secret@contoso.com>;reason=unconditional;x-ms=1, \
             <sip:alice@other.example>;reason=deflection",
        )
        .unwrap();
        assert_eq!(d.entries.len(), 3);
        assert_eq!(d.entries[0].addr.display.as_deref(), Some("Alice"));
        assert_eq!(d.entries[1].other, vec![("x-ms".into(), Some("1".into()))]);
        // Duplicates removed, truncation at ':' (password) and ';'.
        assert_eq!(d.called_parties(), vec!["+14255550123", "alice"]);
        assert_eq!(
            diverted_user("sip:4001;phone-context=dp@contoso.com").as_deref(),
            Some("4001")
        );
        assert_eq!(diverted_user("mailto:a@b"), None);
        assert_eq!(
            ExchangeDiversionReason::from_reason("Time-Of-Day;x-user-busy"),
            Some(ExchangeDiversionReason::UserBusy)
        );
        assert_eq!(ExchangeDiversionReason::from_reason("follow-me"), None);
    }

    #[test]
    fn diversion_errors_name_the_header() {
        for bad in [
            "",
            "<sip:a@b>;counter=x",
            "<sip:a@b>;;reason=x",
            "<sip:a@b>,",
            "sip:a b",
        ] {
            match Diversion::parse(bad).unwrap_err() {
                SipError::HeaderValue { name, .. } => assert_eq!(name, "Diversion"),
                other => panic!("{other}"),
            }
        }
        match CcDiversion::parse("<>").unwrap_err() {
            SipError::HeaderValue { name, .. } => assert_eq!(name, "CC-Diversion"),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn history_info_exchange_rule() {
        // Caller -> user's extension (no answer, 408) -> UM pilot.
        let h = HistoryInfo::parse(
            "<sip:alice@contoso.com>;index=1, \
             <sip:4001@contoso.com;user=phone?Reason=SIP%3Bcause%3D408%3Btext%3D%22Timeout%22>;index=1.1, \
             <sip:um-pilot@contoso.com>;index=1.1.1, <sip:UM-pilot@CONTOSO.com;transport=tls>;index=1.1.1.1",
        )
        .unwrap();
        assert_eq!(h.entries.len(), 4);
        assert_eq!(
            h.entries[1].reason().as_deref(),
            Some("SIP;cause=408;text=\"Timeout\"")
        );
        assert_eq!(h.entries[1].cause(), Some(408));
        let from = h.diverted_from().unwrap();
        assert_eq!(from.index.as_deref(), Some("1.1"));
        assert_eq!(h.called_party().as_deref(), Some("4001"));
        assert_eq!(HistoryInfo::parse(&h.to_string()).unwrap(), h);
        // No entry with a reason: nothing.
        let h = HistoryInfo::parse("<sip:a@b>;index=1, <sip:p@b>;index=1.1").unwrap();
        assert!(h.diverted_from().is_none());
        assert!(HistoryInfo::parse("<sip:a@b>;index=1..2").is_err());
    }

    #[test]
    fn history_info_with_reason_escapes() {
        let e = HistoryInfoEntry::new("sip:bob@b?Priv=1", "1.2")
            .with_reason("SIP;cause=486;text=\"Busy Here\"");
        assert_eq!(
            e.addr.uri,
            "sip:bob@b?Priv=1&Reason=SIP%3Bcause%3D486%3Btext%3D%22Busy%20Here%22"
        );
        assert_eq!(e.cause(), Some(486));
    }

    #[test]
    fn ms_exchange_command() {
        let c =
            MsExchangeCommand::parse("skip-pin; itemId=\"AAMk;AD=\\\"x\"; future-thing=1").unwrap();
        assert!(c.skip_pin);
        assert_eq!(c.item_id.as_deref(), Some("AAMk;AD=\"x"));
        assert_eq!(c.other, vec!["future-thing=1"]);
        assert_eq!(MsExchangeCommand::parse(&c.to_string()).unwrap(), c);
        assert!(MsExchangeCommand::parse("itemId=\"open").is_err());
    }

    #[test]
    fn referred_by_and_uri_parts() {
        let r = ReferredBy::parse(
            "\"Lync\" <sip:alice@contoso.com>;cid=\"20398823.2UWQFN309shb3@contoso.com\"",
        )
        .unwrap();
        assert_eq!(
            r.cid().as_deref(),
            Some("20398823.2UWQFN309shb3@contoso.com")
        );
        assert_eq!(ReferredBy::parse(&r.to_string()).unwrap(), r);
        let p = SipUriParts::parse(
            "sip:user;par=u%40example.net@[2001:db8::10]:5070;transport=tcp?Subject=a%20b",
        )
        .unwrap();
        assert_eq!(p.user.as_deref(), Some("user;par=u%40example.net"));
        assert_eq!(p.host, "[2001:db8::10]");
        assert_eq!(p.port, Some(5070));
        assert_eq!(p.header("subject"), Some("a b"));
        assert!(SipUriParts::parse("sip:2001:db8::10").is_err());
        assert_eq!(
            SipUriParts::parse("tel:+1234;ext=5")
                .unwrap()
                .user
                .as_deref(),
            Some("+1234")
        );
    }

    #[test]
    fn name_addr_rejects_rfc4475_faults() {
        // quotbal, badaspec, regbadct, baddn
        assert!(NameAddr::parse("To", "\"Mr. J. User <sip:j.user@example.com>").is_err());
        assert!(NameAddr::parse("To", "\"Watson, Thomas\" < sip:t.watson@example.org >").is_err());
        assert!(NameAddr::parse(
            "Contact",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E"
        )
        .is_err());
        assert!(
            NameAddr::parse("From", "Bell, Alexander <sip:a.g.bell@example.com>;tag=43").is_err()
        );
        // lwsdisp: no LWS before '<' is fine; token display names are joined with one SP.
        let a = NameAddr::parse("From", "caller  two<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(a.display.as_deref(), Some("caller two"));
    }

    fn token() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9.!%*_+`'~-]{1,12}"
    }

    fn sip_uri() -> impl Strategy<Value = String> {
        (
            prop_oneof!["[+]?[0-9]{3,11}", "[a-z][a-z0-9.]{0,10}"],
            "[a-z]{1,8}(\\.[a-z]{2,5}){0,2}",
            prop::option::of(1u16..65535),
            prop::bool::ANY,
        )
            .prop_map(|(u, h, p, tel)| {
                if tel {
                    format!("tel:{u}")
                } else {
                    match p {
                        Some(p) => format!("sip:{u}@{h}:{p};user=phone"),
                        None => format!("sip:{u}@{h}"),
                    }
                }
            })
    }

    fn params() -> impl Strategy<Value = Params> {
        prop::collection::vec(
            (
                "x-[a-z]{1,6}",
                prop::option::of(prop_oneof![token(), "\"[ -~&&[^\"\\\\]]{0,10}\""]),
            ),
            0..3,
        )
    }

    fn name_addr() -> impl Strategy<Value = NameAddr> {
        (prop::option::of("[ -~\u{e9}\u{4e2d}]{0,12}"), sip_uri()).prop_map(|(display, uri)| {
            NameAddr {
                display,
                uri,
                params: Params::new(),
            }
        })
    }

    fn diversion_entry() -> impl Strategy<Value = DiversionEntry> {
        (
            name_addr(),
            prop::option::of(prop_oneof![token(), "[ -~]{0,10}"]),
            prop::option::of(any::<u32>()),
            prop::option::of(any::<u32>()),
            prop::option::of(token()),
            prop::option::of(token()),
            params(),
        )
            .prop_map(|(addr, reason, counter, limit, privacy, screen, other)| {
                DiversionEntry {
                    addr,
                    reason,
                    counter,
                    limit,
                    privacy,
                    screen,
                    other,
                }
            })
    }

    proptest! {
        #[test]
        fn diversion_round_trips(entries in prop::collection::vec(diversion_entry(), 1..4)) {
            let d = Diversion { entries };
            prop_assert_eq!(Diversion::parse(&d.to_string()).unwrap(), d.clone());
            let cc = CcDiversion(d);
            prop_assert_eq!(CcDiversion::parse(&cc.to_string()).unwrap(), cc);
        }

        #[test]
        fn history_info_round_trips(
            entries in prop::collection::vec((name_addr(), params(), prop::option::of("[1-9](\\.[1-9]){0,3}"), prop::option::of(100u16..700)), 1..5)
        ) {
            let entries: Vec<HistoryInfoEntry> = entries
                .into_iter()
                .map(|(mut addr, params, index, cause)| {
                    addr.params = params;
                    let e = HistoryInfoEntry { addr, index };
                    match cause {
                        Some(c) => e.with_reason(&format!("SIP;cause={c}")),
                        None => e,
                    }
                })
                .collect();
            let h = HistoryInfo { entries };
            let parsed = HistoryInfo::parse(&h.to_string()).unwrap();
            prop_assert_eq!(&parsed, &h);
            for (a, b) in parsed.entries.iter().zip(&h.entries) {
                prop_assert_eq!(a.cause(), b.cause());
            }
        }

        #[test]
        fn ms_exchange_command_round_trips(skip_pin in any::<bool>(), item_id in prop::option::of("[ -~]{0,20}"), other in prop::collection::vec("x-[a-z]{1,6}(=[a-z0-9]{1,4})?", 0..3)) {
            let c = MsExchangeCommand { skip_pin, item_id, other };
            prop_assert_eq!(MsExchangeCommand::parse(&c.to_string()).unwrap(), c);
        }

        #[test]
        fn referred_by_round_trips(mut addr in name_addr(), params in params()) {
            addr.params = params;
            let r = ReferredBy { addr };
            prop_assert_eq!(ReferredBy::parse(&r.to_string()).unwrap(), r);
        }

        #[test]
        fn header_parsers_never_panic(s in "\\PC{0,60}") {
            let _ = Diversion::parse(&s);
            let _ = HistoryInfo::parse(&s);
            let _ = MsExchangeCommand::parse(&s);
            let _ = ReferredBy::parse(&s);
            let _ = SipUriParts::parse(&s);
            let _ = diverted_user(&s);
        }
    }
}
