//! The live trace: the call of the offline trace placed for real against `umctl serve`. The
//! Front End's hops (1-5: who was called, hosted voice mail, dial plan, read permission, UM
//! server) are the directory's answers, as offline; then this module plays the Front End's
//! SIP side from the pool's own address (the call router admits it as the UM IP gateway):
//! the INVITE `frontend::invite` builds (with an SDP offer), the call router's 302, the UM
//! service's 302, the worker's 180/200, the ACK, the caller's audio (a WAV paced at 20 ms)
//! and DTMF (RFC 4733) after the prompts, the BYE, and, for call answering, the wait for the
//! message whose `X-Umctl-Call-Id` is the call's in `<mailbox>/Maildir/new/`. Every message
//! becomes a step of the ladder and a packet of the [`Capture`]; the hops 6-8 say what really
//! happened, and [`compare::disagreements`] says where that differs from the prediction.
//!
//! It does not start serve (the command line does, or is given its address) and does not
//! print.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rsip::prelude::UntypedHeader;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};

use crate::directory::Directory;
use crate::frontend::{build_invite, follow_redirect, InviteSpec};
use crate::mail::message::HEADER_CALL_ID;
use crate::media::dtmf::DtmfSender;
use crate::media::g711::Law;
use crate::media::rtp::{Pacer, RtpReceiver, RtpSender, SAMPLES_PER_PACKET};
use crate::media::sdp::{negotiate, LocalMedia, Negotiated, SessionDescription};
use crate::media::srtp::{
    open_rtcp, redact_inline_keys, seal_rtcp, MasterKey, SrtpContext, SrtpSession, Suite,
};
use crate::sip::dialog::Dialog;
use crate::sip::endpoint::{
    CallHandler, ClientError, Endpoint, EndpointConfig, EndpointHandle, HandlerResponse,
    RequestContext, TlsListen,
};
use crate::sip::ids::IdGenerator;
use crate::sip::message::{find_header, request_bytes, response_bytes, response_to};
use crate::sip::request::{RequestBuilder, Via};
use crate::sip::transport::tls::inspecting_client_config;
use crate::sip::transport::TransportKind;
use crate::sip::{NameAddr, SipUriParts};
use crate::um::UmContext;

use super::certificates::{hop_lines, hop_of, CertificateWatch};
use super::compare::disagreements;
use super::outcome::Expect;
use super::pcap::{Capture, Wire};
use super::{
    trace_offline, CallPlan, HopCertificate, LiveDetails, Outcome, Party, SipStep, Trace,
    TraceError, TraceRequest,
};
use crate::records::{CallRecord, CallStore, Logon};

/// The caller's message when no --wave-file is given (looped to the message length).
const DEFAULT_MESSAGE: &[u8] = include_bytes!("../../fixtures/prompts/ca-message-sent.wav");
/// How long a key press lasts, and the pause after it.
const DIGIT_MS: u32 = 120;
const DIGIT_GAP: Duration = Duration::from_millis(120);
/// No prompt audio (nothing louder than silence) within this: the worker plays nothing, the
/// caller goes on.
const NO_PROMPT_WAIT: Duration = Duration::from_millis(1500);
/// The prompts (and the beep) are over when the worker's audio has been quiet this long.
const QUIET_AFTER_PROMPTS: Duration = Duration::from_millis(1200);
/// A G.711 frame whose mean absolute sample is above this is speech or a tone.
const LOUD: u32 = 300;
/// The longest an INVITE transaction may take (Timer B is 32 s; a little more).
const INVITE_WAIT: Duration = Duration::from_secs(40);

/// How the live call is placed.
pub struct LiveSetup<'a> {
    /// What to call the serve in reports: `in-process` or the `--serve` address.
    pub serve: String,
    /// The call router's address, given the FQDN of the CAS the Front End picked; and the
    /// transport to reach it over.
    pub call_router: &'a dyn Fn(&str) -> Result<SocketAddr, String>,
    pub transport: TransportKind,
    /// Host name -> address (the lab hosts table, else the system resolver).
    pub resolve: &'a dyn Fn(&str) -> Option<IpAddr>,
    /// For TLS: the caller's listener (a certificate for the pool FQDN and address) and the
    /// client configuration that trusts serve's certificates.
    pub tls: Option<&'a TlsFor<'a>>,
    /// How long to wait for the message in the mailbox.
    pub delivery_wait: Duration,
    /// The longest the caller listens to the prompts before speaking anyway.
    pub prompt_wait: Duration,
    /// The calls folder of the lab (`<lab>/calls`), where serve writes the call's record.
    pub records: Option<PathBuf>,
    /// Whether the serve surely writes there (in-process), or may (`--serve` on the same lab).
    pub records_certain: bool,
}

/// Makes the caller's TLS configurations for the pool FQDN and address.
pub type TlsFor<'a> = dyn Fn(&str, IpAddr) -> Result<TlsListenParts, String> + 'a;

/// The TLS side of the caller's endpoint: its listener, the certificate it presents to the
/// servers (mutual TLS: the pool's), and the trust anchors it judges their certificates by.
pub struct TlsListenParts {
    pub server: Arc<rustls::ServerConfig>,
    /// The caller's certificate chain and key (PEM).
    pub identity: (String, String),
    pub anchors: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// What the anchors are called in reports (`the lab CA`, `--ca-file ca.pem`).
    pub anchors_name: String,
}

/// A request UM sent in the call's dialog, and the caller's answer to it.
type UmRequest = (rsip::Request, rsip::Response);

/// The caller's endpoint: inside the call's dialog it answers as a Front End does (REFER 202
/// Accepted, BYE 200, NOTIFY and INFO 200, never 481) and hands each request to the call;
/// anything else gets the endpoint's defaults.
struct Caller {
    call_id: Mutex<String>,
    requests: mpsc::UnboundedSender<UmRequest>,
}

impl CallHandler for Caller {
    fn owns_dialog(&self, request: &rsip::Request) -> bool {
        let ours = lock(&self.call_id);
        !ours.is_empty()
            && find_header(&request.headers, "Call-ID").as_deref() == Some(ours.as_str())
    }

    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        if !self.owns_dialog(request) {
            return HandlerResponse::not_handled();
        }
        let (status, phrase) = match request.method {
            rsip::Method::Refer => (202, "Accepted"),
            rsip::Method::Bye | rsip::Method::Notify | rsip::Method::Info => (200, "OK"),
            _ => (501, "Not Implemented"),
        };
        let response = response_to(request, status, phrase, Some(&ctx.to_tag));
        let _ = self.requests.send((request.clone(), response.clone()));
        HandlerResponse::respond(response)
    }
}

fn live_err(what: impl Into<String>, why: impl ToString) -> TraceError {
    TraceError::Live {
        what: what.into(),
        why: why.to_string(),
    }
}

/// The record of the exchange: ladder steps and capture packets.
struct Recorder {
    steps: Vec<SipStep>,
    capture: Capture,
    wire: Wire,
    /// The caller's signalling address.
    local: SocketAddr,
    /// Over TLS: the certificates the servers offer, judged per hop.
    certificates: Option<Arc<CertificateWatch>>,
}

impl Recorder {
    fn sent(&mut self, to_party: Party, to: SocketAddr, req: &rsip::Request) {
        // SDES keys stay out of the trace and the capture (`--pcap-keys` writes them apart).
        let bytes = redact_inline_keys(&request_bytes(req));
        let _ = self.capture.push(self.local, to, self.wire, &bytes);
        self.step(Party::SkypeFrontEnd, to_party, &bytes);
    }

    fn received(&mut self, from_party: Party, from: SocketAddr, resp: &rsip::Response) {
        let bytes = redact_inline_keys(&spaced_reason(response_bytes(resp)));
        let _ = self.capture.push(from, self.local, self.wire, &bytes);
        self.step(from_party, Party::SkypeFrontEnd, &bytes);
    }

    /// A request UM sent in the dialog and the caller's answer.
    fn answered(&mut self, party: Party, peer: SocketAddr, (req, resp): &UmRequest) {
        let bytes = request_bytes(req);
        let _ = self.capture.push(peer, self.local, self.wire, &bytes);
        self.step(party, Party::SkypeFrontEnd, &bytes);
        let bytes = response_bytes(resp);
        let _ = self.capture.push(self.local, peer, self.wire, &bytes);
        self.step(Party::SkypeFrontEnd, party, &bytes);
    }

    fn step(&mut self, from: Party, to: Party, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes).into_owned();
        self.steps.push(SipStep {
            from,
            to,
            first_line: text.lines().next().unwrap_or_default().to_string(),
            text,
        });
    }
}

/// rsip keeps the status code of a parsed response but prints its reason phrase as the
/// variant name (`302 MovedTemporarily`): put RFC 3261's phrase back (`302 Moved
/// Temporarily`, `sip::wire::phrase`), or the spaces for a code it has none for.
fn spaced_reason(bytes: Vec<u8>) -> Vec<u8> {
    let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") else {
        return bytes;
    };
    let line = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut parts = line.splitn(3, ' ');
    let (Some(version), Some(code), Some(reason)) = (parts.next(), parts.next(), parts.next())
    else {
        return bytes;
    };
    if reason.contains(' ') {
        return bytes;
    }
    let spaced = match code.parse().map(crate::sip::wire::phrase) {
        Ok(known) if known != "Unknown" => known.to_string(),
        _ => crate::sip::wire::spaced_words(reason),
    };
    let mut out = format!("{version} {code} {spaced}").into_bytes();
    out.extend_from_slice(&bytes[end..]);
    out
}

/// Offline predicted Exchange refuses the call at admission (hop 5), but the live call was
/// admitted and answered: hop 5 says so, hop 7 is left unworked.
fn admitted_after_all(offline: &Trace, live: &mut Trace) {
    let predicted = offline
        .hops
        .iter()
        .find(|h| h.number == 5)
        .map(|h| h.result.clone())
        .unwrap_or_default();
    let keep = live
        .hops
        .iter()
        .find(|h| h.number == 5)
        .map(|h| h.looked_up.clone())
        .unwrap_or_default();
    set_hop(
        live,
        5,
        keep,
        format!("Exchange admitted the call (live), where offline predicted: {predicted}"),
        Outcome::Ok,
    );
    set_hop(
        live,
        7,
        Vec::new(),
        "the UM worker answered; the offline trace stopped at hop 5, so who answers is not worked out",
        Outcome::Info,
    );
}

/// How the INVITE phase ended.
enum Signalled {
    /// 200 OK from the worker.
    Answered {
        response: Box<rsip::Response>,
        worker: SocketAddr,
        spec: Box<InviteSpec>,
    },
    /// A final answer other than 2xx/302 from `party`.
    Refused {
        party: Party,
        response: rsip::Response,
    },
    /// No final answer (timeout, transport) from `party`.
    NoAnswer {
        party: Party,
        to: SocketAddr,
        why: String,
    },
    /// A 302 whose Contact cannot be followed.
    BadRedirect { party: Party, why: String },
}

/// Places the call of `req` against the serve in `setup` and returns the live trace and the
/// capture of its messages.
pub async fn trace_live<D: Directory + ?Sized>(
    dir: &D,
    req: &TraceRequest,
    ctx: &UmContext<'_>,
    setup: &LiveSetup<'_>,
) -> Result<(Trace, Capture), TraceError> {
    let offline = trace_offline(dir, req, ctx)?;
    let mut live = offline.clone();
    live.mode = "live";
    live.messages.clear();
    let mut details = LiveDetails {
        serve: setup.serve.clone(),
        transport: setup.transport.as_str().to_string(),
        ..LiveDetails::default()
    };
    let Some(plan) = offline.plan.clone() else {
        // The Front End stops before it sends anything: the directory hops are the trace.
        details.disagreements = disagreements(&offline, &live);
        live.live = Some(details);
        return Ok((live, Capture::new()));
    };
    let pool = plan.invite.pool_fqdn.clone();
    let caller_ip = (setup.resolve)(&pool).ok_or_else(|| {
        live_err(
            format!("the caller's pool {pool}"),
            "it has no address (not in the lab's hosts table, see `umctl lab hosts`)",
        )
    })?;

    // The caller's endpoint and RTP socket, on the pool's address.
    let (rtp, rtcp, rtp_local) = caller_rtp(caller_ip)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let (requests_tx, mut requests) = mpsc::unbounded_channel();
    let caller = Arc::new(Caller {
        call_id: Mutex::new(String::new()),
        requests: requests_tx,
    });
    let (config, certificates) = caller_config(setup, &pool, caller_ip)?;
    let endpoint = Endpoint::start(config, caller.clone(), stop_rx)
        .await
        .map_err(|e| live_err(format!("the caller's SIP endpoint on {caller_ip}"), e))?;
    let addrs = endpoint.addrs();
    let local = addrs
        .tls
        .or(addrs.tcp)
        .or(addrs.udp)
        .ok_or_else(|| live_err("the caller's SIP endpoint", "no listener was bound"))?;
    let handle = endpoint.handle();
    details.caller = local.to_string();

    let (mut spec, router) = call_spec(&plan, setup, &pool)?;
    *lock(&caller.call_id) = spec.call_id.clone();
    details.call_id = spec.call_id.clone();
    let mut rec = Recorder {
        steps: Vec::new(),
        capture: Capture::new(),
        wire: if setup.transport == TransportKind::Udp {
            Wire::Udp
        } else {
            Wire::Tcp
        },
        local,
        certificates: certificates.clone(),
    };
    let session = u64::from(rtp_local.port());
    // A Secured dial plan: the pool offers SRTP with a key of its own, as Skype does.
    let srtp_key = match plan.srtp {
        true => Some(MasterKey::random().map_err(|e| live_err("an SRTP key", e))?),
        false => None,
    };
    let offer = offer_sdp(rtp_local, session, srtp_key.as_ref());

    let signalled = signal(
        &handle,
        setup,
        router,
        &mut spec,
        &offer,
        &mut rec,
        &mut live.parties,
    )
    .await;
    let ctx = CallCtx {
        handle: &handle,
        setup,
        req,
        plan: &plan,
        local,
        rtp: &rtp,
        rtcp: &rtcp,
        rtp_local,
        certificates: certificates.as_deref(),
        srtp_key,
    };
    let result = ctx
        .after_signalling(
            signalled,
            &offline,
            (&mut live, &mut details),
            &mut rec,
            &mut requests,
        )
        .await;
    let _ = stop_tx.send(true);
    endpoint.wait().await;
    result?;
    if let Some(watch) = &certificates {
        details.certificates = watch.seen();
        show_certificates(&mut live, &details.certificates);
    }
    live.messages = rec.steps;
    live.first_failure = live.failure().map(|h| h.number);
    live.reached = live.first_failure.is_none();
    details.disagreements = disagreements(&offline, &live);
    live.live = Some(details);
    Ok((live, rec.capture))
}

/// The caller's RTP and RTCP sockets on `caller_ip` (bound once, kept) and the RTP address.
fn caller_rtp(caller_ip: IpAddr) -> Result<(UdpSocket, UdpSocket, SocketAddr), TraceError> {
    let (rtp, rtcp) = crate::media::rtcp::bind_pair(caller_ip)
        .and_then(|(rtp, rtcp)| {
            rtp.set_nonblocking(true)?;
            rtcp.set_nonblocking(true)?;
            Ok((UdpSocket::from_std(rtp)?, UdpSocket::from_std(rtcp)?))
        })
        .map_err(|e| live_err(format!("binding RTP and RTCP sockets on {caller_ip}"), e))?;
    let rtp_local = rtp
        .local_addr()
        .map_err(|e| live_err("the RTP socket", e))?;
    Ok((rtp, rtcp, rtp_local))
}

/// The caller's endpoint configuration on `caller_ip` for the trace's transport (for TLS,
/// with the pool's certificate and a client that watches UM's certificates).
fn caller_config(
    setup: &LiveSetup<'_>,
    pool: &str,
    caller_ip: IpAddr,
) -> Result<(EndpointConfig, Option<Arc<CertificateWatch>>), TraceError> {
    let mut certificates = None;
    let mut config = EndpointConfig {
        bind: None,
        udp: false,
        tcp: false,
        // The trace reports its own requests.
        log_transactions: false,
        ..EndpointConfig::default()
    };
    match setup.transport {
        TransportKind::Tls => {
            let make = setup.tls.ok_or_else(|| {
                live_err("TLS to the call router", "no TLS configuration was given")
            })?;
            let parts = make(pool, caller_ip)
                .map_err(|e| live_err(format!("the TLS certificate for {pool}"), e))?;
            let watch = CertificateWatch::new(parts.anchors, &parts.anchors_name);
            let client = inspecting_client_config(
                watch.inspector(),
                Some((&parts.identity.0, &parts.identity.1)),
            )
            .map_err(|e| live_err(format!("the TLS client of {pool}"), e))?;
            certificates = Some(watch);
            config.tls = Some(TlsListen {
                bind: SocketAddr::new(caller_ip, 0),
                server: parts.server,
                client: Some(client),
            });
        }
        TransportKind::Tcp => {
            config.bind = Some(SocketAddr::new(caller_ip, 0));
            config.tcp = true;
        }
        TransportKind::Udp => {
            config.bind = Some(SocketAddr::new(caller_ip, 0));
            config.udp = true;
        }
    }
    Ok((config, certificates))
}

/// The INVITE of the live call: the offline plan's, with a fresh Call-ID, tag and branch,
/// to the call router's real port; and that call router's address.
fn call_spec(
    plan: &CallPlan,
    setup: &LiveSetup<'_>,
    pool: &str,
) -> Result<(InviteSpec, SocketAddr), TraceError> {
    let ids = IdGenerator::new();
    let mut spec = plan.invite.clone();
    spec.call_id = ids.call_id(pool);
    spec.from_tag = ids.tag();
    spec.branch = ids.branch();
    spec.secure = setup.transport == TransportKind::Tls;
    let cas = host_of(&spec.request_uri);
    let router =
        (setup.call_router)(&cas).map_err(|e| live_err(format!("the call router of {cas}"), e))?;
    spec.request_uri = with_port(&spec.request_uri, router.port(), spec.secure);
    Ok((spec, router))
}

/// Each certificate's lines at the end of its hop.
fn show_certificates(live: &mut Trace, seen: &[HopCertificate]) {
    for c in seen {
        if let Some(h) = live.hops.iter_mut().find(|h| h.number == hop_of(c.party)) {
            h.looked_up.extend(hop_lines(c));
        }
    }
}

/// The Request-URI with the port the call router really listens on.
fn with_port(uri: &str, port: u16, secure: bool) -> String {
    match SipUriParts::parse(uri) {
        Ok(p) => InviteSpec::request_uri_for(
            p.user.as_deref().unwrap_or_default(),
            &p.host,
            port,
            secure,
        ),
        Err(_) => uri.to_string(),
    }
}

/// The caller's SDP offer: PCMU, PCMA and telephone-event 101, 20 ms; with `srtp`,
/// RTP/SAVP and one `a=crypto` (AES_CM_128_HMAC_SHA1_80, SDES) with that key.
fn offer_sdp(rtp: SocketAddr, session: u64, srtp: Option<&MasterKey>) -> String {
    let ip = rtp.ip();
    let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let (proto, crypto) = match srtp {
        Some(key) => (
            "RTP/SAVP",
            format!(
                "a=crypto:1 {} inline:{}\r\n",
                Suite::AesCm128HmacSha1_80.name(),
                key.inline()
            ),
        ),
        None => ("RTP/AVP", String::new()),
    };
    format!(
        "v=0\r\no=umctl {session} {session} IN {family} {ip}\r\ns=umctl trace-call\r\n\
         c=IN {family} {ip}\r\nt=0 0\r\nm=audio {port} {proto} 0 8 101\r\n\
         a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n{crypto}",
        port = rtp.port()
    )
}

/// Puts an SDP body into `req`.
fn with_body(mut req: rsip::Request, sdp: &str) -> rsip::Request {
    req.headers
        .retain(|h| !matches!(h, rsip::Header::ContentLength(_)));
    req.headers
        .push(rsip::Header::ContentType(rsip::headers::ContentType::new(
            "application/sdp",
        )));
    req.headers.push(rsip::Header::ContentLength(
        rsip::headers::ContentLength::new(sdp.len().to_string()),
    ));
    req.body = sdp.as_bytes().to_vec();
    req
}

/// INVITE, the redirects, the answer.
async fn signal(
    handle: &EndpointHandle,
    setup: &LiveSetup<'_>,
    router: SocketAddr,
    spec: &mut InviteSpec,
    offer: &str,
    rec: &mut Recorder,
    parties: &mut [String],
) -> Signalled {
    let mut to = router;
    let cr = Party::CallRouter.index();
    parties[cr] = format!("{}:{}", host_of(&spec.request_uri), to.port());
    for party in [Party::CallRouter, Party::UmService, Party::Worker] {
        let invite = match build_invite(spec) {
            Ok(i) => with_body(i, offer),
            Err(e) => {
                return Signalled::BadRedirect {
                    party,
                    why: e.to_string(),
                }
            }
        };
        rec.sent(party, to, &invite);
        if let Some(watch) = &rec.certificates {
            watch.dialling(party, &host_of(&spec.request_uri));
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let answer = tokio::time::timeout(
            INVITE_WAIT,
            handle.request_with(invite, to, setup.transport, Some(tx)),
        )
        .await;
        while let Ok(p) = rx.try_recv() {
            rec.received(party, to, &p);
        }
        let response = match answer {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                return Signalled::NoAnswer {
                    party,
                    to,
                    why: client_why(&e),
                }
            }
            Err(_) => {
                return Signalled::NoAnswer {
                    party,
                    to,
                    why: format!("no final answer within {} s", INVITE_WAIT.as_secs()),
                }
            }
        };
        rec.received(party, to, &response);
        let status = response.status_code.code();
        if (200..300).contains(&status) {
            return Signalled::Answered {
                response: Box::new(response),
                worker: to,
                spec: Box::new(spec.clone()),
            };
        }
        if status != 302 || party == Party::Worker {
            return Signalled::Refused { party, response };
        }
        let Some(contact) = contact_uri(&response) else {
            return Signalled::BadRedirect {
                party,
                why: "the 302 has no Contact".into(),
            };
        };
        let next = match target_of(&contact, setup.resolve) {
            Ok(a) => a,
            Err(why) => return Signalled::BadRedirect { party, why },
        };
        let next_party = match party {
            Party::CallRouter => Party::UmService,
            _ => Party::Worker,
        };
        parties[next_party.index()] = format!("{}:{}", host_of(&contact), next.port());
        to = next;
        *spec = follow_redirect(spec, &contact);
    }
    Signalled::BadRedirect {
        party: Party::Worker,
        why: "more redirects than the call router and the UM service make".into(),
    }
}

fn client_why(e: &ClientError) -> String {
    match e {
        ClientError::Transport => {
            "the connection could not be made or broke (is umctl serve running there?)".into()
        }
        other => other.to_string(),
    }
}

fn host_of(uri: &str) -> String {
    SipUriParts::parse(uri)
        .map(|p| p.host)
        .unwrap_or_else(|_| uri.to_string())
}

/// The URI of a response's Contact.
fn contact_uri(resp: &rsip::Response) -> Option<String> {
    let value = find_header(&resp.headers, "Contact")?;
    NameAddr::parse("Contact", &value).ok().map(|n| n.uri)
}

/// Where a URI's host and port are (the transport is the one the call already uses).
fn target_of(uri: &str, resolve: &dyn Fn(&str) -> Option<IpAddr>) -> Result<SocketAddr, String> {
    let p = SipUriParts::parse(uri).map_err(|e| e.to_string())?;
    let host = p.host.trim_start_matches('[').trim_end_matches(']');
    let ip = match host.parse::<IpAddr>() {
        Ok(ip) => ip,
        Err(_) => resolve(host).ok_or_else(|| format!("{host} (from {uri}) has no address"))?,
    };
    let port = p.port.ok_or_else(|| format!("{uri} names no port"))?;
    Ok(SocketAddr::new(ip, port))
}

/// The Warning text of a response (the whole sentence serve puts there), else its phrase.
fn warning_text(resp: &rsip::Response) -> String {
    find_header(&resp.headers, "Warning")
        .and_then(|w| {
            let start = w.find('"')?;
            let end = w.rfind('"')?;
            (end > start).then(|| w[start + 1..end].to_string())
        })
        .unwrap_or_else(|| resp.status_code.to_string())
}

fn status_line(resp: &rsip::Response) -> String {
    spaced_reason(response_bytes(resp))
        .split(|b| *b == b'\r')
        .next()
        .map(|l| {
            String::from_utf8_lossy(l)
                .trim_start_matches("SIP/2.0 ")
                .to_string()
        })
        .unwrap_or_default()
}

/// What the caller's media phase did.
#[derive(Default)]
struct Media {
    /// The RTP the caller sent.
    rtp: Capture,
    /// Secured: what the caller sends is protected with its own key.
    srtp_out: Option<SrtpContext>,
    /// What the worker's SDP answer agreed to.
    answer: Option<String>,
    looked: Vec<String>,
    sent: u64,
    received: u64,
    digits: Option<String>,
    problem: Option<String>,
    /// UM hung up: the BYE's Reason text (or its first line).
    um_bye: Option<String>,
}

/// UM's requests in the dialog so far.
#[derive(Default)]
struct UmSide {
    /// The Refer-To of UM's REFER.
    referred: Option<String>,
    /// UM's BYE came.
    hung_up: bool,
    /// Its Reason text (empty when it had none).
    bye_reason: Option<String>,
}

/// The receiving side: counts packets and notes when the worker's audio was last loud.
#[derive(Default)]
struct Heard {
    /// The RTP the worker sent.
    rtp: Capture,
    packets: u64,
    last_loud: Option<Instant>,
    /// Statistics of the worker's stream, for the caller's RTCP receiver reports.
    stats: Option<RtpReceiver>,
}

struct CallCtx<'a, 'b> {
    handle: &'a EndpointHandle,
    setup: &'a LiveSetup<'b>,
    req: &'a TraceRequest,
    plan: &'a CallPlan,
    local: SocketAddr,
    rtp: &'a UdpSocket,
    /// The RTP port + 1: the caller's receiver reports, the worker's sender reports.
    rtcp: &'a UdpSocket,
    rtp_local: SocketAddr,
    certificates: Option<&'a CertificateWatch>,
    /// The key the caller offered (Secured dial plans).
    srtp_key: Option<MasterKey>,
}

impl CallCtx<'_, '_> {
    /// Hops 6-8 from what happened.
    async fn after_signalling(
        &self,
        signalled: Signalled,
        offline: &Trace,
        (live, details): (&mut Trace, &mut LiveDetails),
        rec: &mut Recorder,
        requests: &mut mpsc::UnboundedReceiver<UmRequest>,
    ) -> Result<(), TraceError> {
        let mut looked: Vec<String> = rec
            .steps
            .iter()
            .map(|s| format!("{} -> {}: {}", s.from.label(), s.to.label(), s.first_line))
            .collect();
        if self.srtp_key.is_some() {
            looked.insert(
                0,
                "the pool offers SRTP, as Skype for Business does on a Secured dial plan: RTP/SAVP with a=crypto AES_CM_128_HMAC_SHA1_80 (SDES key, RFC 4568)".into(),
            );
        }
        let same_as_offline = super::compare::disagreements(
            offline,
            &Trace {
                messages: rec.steps.clone(),
                ..offline.clone()
            },
        )
        .is_empty();
        // Offline predicted that Exchange refuses the call at admission (hop 5); the call was
        // placed anyway, and Exchange's real answer goes into hop 5.
        let refused_at_admission = offline.first_failure == Some(5);
        match signalled {
            Signalled::Answered {
                response,
                worker,
                spec,
            } => {
                if refused_at_admission {
                    admitted_after_all(offline, live);
                }
                set_hop(
                    live,
                    6,
                    looked,
                    "302 from the call router, 302 from the UM service, 200 OK from the UM worker (live)",
                    Outcome::Ok,
                );
                // Hop 7 stays as predicted: who answers is the directory's answer; the worker
                // answered the call with the same code.
                let media = self
                    .converse(&response, worker, &spec, rec, requests)
                    .await?;
                let um_bye = media.um_bye.clone();
                if let (Some(answer), Some(h)) = (
                    media.answer.clone(),
                    live.hops.iter_mut().find(|h| h.number == 7),
                ) {
                    h.looked_up.push(answer);
                }
                details.rtp_sent_packets = media.sent;
                details.rtp_received_packets = media.received;
                details.dtmf_sent = media.digits.clone();
                self.deliver(live, media, details, &spec.call_id).await;
                self.outcome(live, details, &spec.call_id, um_bye).await;
            }
            Signalled::Refused { party, response } => {
                let refusal = (party, &response, refused_at_admission, same_as_offline);
                self.on_refused(offline, live, looked, refusal);
            }
            Signalled::NoAnswer { party, .. } if self.certificate_refused(party, live, &looked) => {
            }
            Signalled::NoAnswer { party, to, why } => {
                fail_hop(
                    live,
                    if refused_at_admission { 5 } else { 6 },
                    looked,
                    format!("no answer from the {} at {to}", party.label()),
                    format!("The {} at {to} did not answer the INVITE: {why}.", party.label()),
                    format!(
                        "Check that umctl serve is running and listening on {to} (`umctl serve` prints its listeners as a JSON line; `umctl trace-call --live` without --serve starts one itself)"
                    ),
                );
            }
            Signalled::BadRedirect { party, why } => {
                fail_hop(
                    live,
                    if refused_at_admission { 5 } else { 6 },
                    looked,
                    format!(
                        "the {} redirected where the caller cannot follow",
                        party.label()
                    ),
                    format!(
                        "The redirect of the {} cannot be followed: {why}.",
                        party.label()
                    ),
                    "Check the hosts table (`umctl lab hosts`) names every Exchange server's FQDN"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// Hops 5-7 when `party` answered the INVITE with a final non-2xx `response`: Exchange's
    /// real answer at admission, the offline hops kept when it answered as predicted, else
    /// the failed hop with why and what to do.
    fn on_refused(
        &self,
        offline: &Trace,
        live: &mut Trace,
        looked: Vec<String>,
        (party, response, refused_at_admission, same_as_offline): (
            Party,
            &rsip::Response,
            bool,
            bool,
        ),
    ) {
        let status = response.status_code.code();
        let text = warning_text(response);
        let line = status_line(response);
        if refused_at_admission {
            if let Some(h) = live.hops.iter_mut().find(|h| h.number == 5) {
                h.looked_up.extend(looked);
                h.result = format!("{} answered {line} (live)", party.label());
            }
            return;
        }
        if same_as_offline {
            // Exchange answered as predicted: the offline hops 6-8 stand, with the
            // real messages.
            if let Some(h) = live.hops.iter_mut().find(|h| h.number == 6) {
                h.looked_up = looked;
                h.result = format!("{} answered {line} (live)", party.label());
            }
            return;
        }
        let at_worker = party == Party::Worker;
        let (why, fix) = self.refusal_why(offline, party, status, &text, &line);
        if at_worker {
            set_hop(
                live,
                6,
                looked,
                format!("{} answered {line} (why: hop 7)", party.label()),
                Outcome::Info,
            );
            fail_hop(live, 7, Vec::new(), format!("{line}: {text}"), why, fix);
        } else {
            fail_hop(
                live,
                6,
                looked,
                format!("{} answered {line}", party.label()),
                why,
                fix,
            );
        }
    }

    /// Why `party` refused the call (`status`, its Warning `text` and status `line`) and
    /// what to do about it.
    fn refusal_why(
        &self,
        offline: &Trace,
        party: Party,
        status: u16,
        text: &str,
        line: &str,
    ) -> (String, String) {
        if status == 503 {
            (
                format!(
                    "{} is turning calls away: {text}. Exchange does this when the UM worker already has MaxCallsAllowed calls (or is shutting down).",
                    party.label()
                ),
                "Wait for calls to end and call again (Retry-After), or raise the limit: Set-UMService -Identity <mailbox server> -MaxCallsAllowed <N> (umctl serve --max-calls N)".to_string(),
            )
        } else if status == 403 && text.contains("TLS certificate") {
            // Mutual TLS: Exchange did not find a gateway in the caller's certificate.
            let rejected = crate::um::rejection(
                crate::um::RejectReason::GatewayCertificate,
                None,
                text.to_string(),
            );
            let rc = super::fix::RejectContext {
                pool: &self.plan.invite.pool_fqdn,
                ..Default::default()
            };
            let f = super::fix::rejection(&rejected, &rc);
            (
                format!("{} answered {line}: {}", party.label(), f.why),
                f.fix,
            )
        } else {
            (
                format!("{} answered {line}: {text}", party.label()),
                live_fix(offline),
            )
        }
    }

    /// When the caller refused `party`'s certificate: fails its hop with the certificate's
    /// why and fix (the worker's hop 7, with hop 6 as information) and says true.
    fn certificate_refused(&self, party: Party, live: &mut Trace, looked: &[String]) -> bool {
        let Some(c) = self.certificates.and_then(|w| w.failure_of(party)) else {
            return false;
        };
        let Some(f) = c.check.failure() else {
            return false;
        };
        let hop = hop_of(party);
        let result = format!(
            "the caller refused the TLS certificate of the {} ({})",
            party.label(),
            c.check.dialled
        );
        if hop == 7 {
            set_hop(
                live,
                6,
                looked.to_vec(),
                "redirected to the UM worker (why: hop 7)",
                Outcome::Info,
            );
            fail_hop(live, 7, Vec::new(), result, f.why.clone(), f.fix.clone());
        } else {
            fail_hop(
                live,
                hop,
                looked.to_vec(),
                result,
                f.why.clone(),
                f.fix.clone(),
            );
        }
        true
    }

    /// ACK, the prompts, the caller's digits and message, BYE.
    async fn converse(
        &self,
        ok: &rsip::Response,
        worker: SocketAddr,
        spec: &InviteSpec,
        rec: &mut Recorder,
        requests: &mut mpsc::UnboundedReceiver<UmRequest>,
    ) -> Result<Media, TraceError> {
        let mut media = Media::default();
        let mut dialog = InDialog::new(spec, ok, self.setup.transport, self.local)?;
        if let Ok(ack) = dialog.request(rsip::Method::Ack).build() {
            rec.sent(Party::Worker, worker, &ack);
            let _ = self
                .handle
                .send_stateless(ack, worker, dialog.transport)
                .await;
        }

        let (negotiated, srtp_in) = self.read_answer(ok, rec, &mut media);
        let heard = Arc::new(Mutex::new(Heard::default()));
        let mut um = UmSide::default();
        let mut notes = Vec::new();
        {
            let listener = {
                let heard = heard.clone();
                let law = negotiated
                    .as_ref()
                    .map(|n| n.codec.law())
                    .unwrap_or(Law::Mu);
                let pt = negotiated.as_ref().map(|n| n.payload_type).unwrap_or(0);
                listen(self.rtp, heard, law, pt, srtp_in)
            };
            let talk = async {
                match &negotiated {
                    Ok(n) => {
                        self.talk(n, &heard, &mut media).await;
                        if !self.plan.delivers && media.problem.is_none() {
                            // A menu answers the keys: listen until it has had its say.
                            lock(&heard).last_loud = None;
                            let after = self.wait_for_prompts(&heard, Instant::now()).await;
                            media.looked.push(format!("after the keys: {after}"));
                        }
                    }
                    Err(e) => {
                        media.problem =
                            Some(format!("the worker's SDP answer cannot be used: {e}"));
                    }
                }
            };
            // SRTCP on a Secured call, with the call's keys (their own SRTCP index).
            let srtcp = negotiated
                .as_ref()
                .ok()
                .and_then(|n| n.srtp.as_ref())
                .map(|k| k.session());
            let reports = rtcp_reports(self.rtcp, &heard, n_remote(&negotiated), srtcp);
            tokio::pin!(talk, listener, reports);
            loop {
                tokio::select! {
                    () = &mut talk => break,
                    () = &mut listener => {}
                    () = &mut reports => {}
                    Some(r) = requests.recv() => {
                        let note = self.on_um_request(&r, worker, &mut dialog, rec, &mut um).await;
                        notes.push(note);
                        if um.hung_up {
                            break;
                        }
                    }
                }
            }
            if um.referred.is_some() && !um.hung_up {
                // After a REFER, UM ends its leg once its prompt has played.
                let end = Instant::now() + Duration::from_secs(10);
                while !um.hung_up {
                    let left = end.saturating_duration_since(Instant::now());
                    let Ok(Some(r)) = tokio::time::timeout(left, requests.recv()).await else {
                        break;
                    };
                    let note = self
                        .on_um_request(&r, worker, &mut dialog, rec, &mut um)
                        .await;
                    notes.push(note);
                }
            }
        }
        media.looked.extend(notes);
        {
            let mut h = lock(&heard);
            media.received = h.packets;
            rec.capture.merge(std::mem::take(&mut h.rtp));
        }
        rec.capture.merge(std::mem::take(&mut media.rtp));
        media.looked.insert(
            0,
            format!(
                "RTP from the UM worker: {} packet(s) received on {}",
                media.received, self.rtp_local
            ),
        );
        if um.hung_up {
            media.um_bye = um.bye_reason;
            return Ok(media);
        }
        self.hang_up(&mut dialog, worker, rec, &mut media).await;
        Ok(media)
    }

    /// UM's SDP answer in `ok`, negotiated against our offer: the call's codec and, on a
    /// Secured call, the SRTP contexts (ours goes into `media`, the keys into the capture)
    /// and the line for hop 7.
    fn read_answer(
        &self,
        ok: &rsip::Response,
        rec: &mut Recorder,
        media: &mut Media,
    ) -> (
        Result<Negotiated, crate::media::MediaError>,
        Option<SrtpContext>,
    ) {
        let answer = String::from_utf8_lossy(&ok.body).into_owned();
        let mut ours = LocalMedia::new(self.rtp_local.ip(), self.rtp_local.port(), 1);
        if let Some(key) = &self.srtp_key {
            ours = ours.with_srtp(key.clone());
        }
        let negotiated = SessionDescription::parse(&answer)
            .and_then(|sdp| negotiate(&sdp, &ours))
            .map(|(n, _)| n);
        let mut srtp_in = None;
        if let Ok(n) = &negotiated {
            if let Some(keys) = &n.srtp {
                media.srtp_out = Some(SrtpContext::new(keys.suite, &keys.local));
                srtp_in = Some(SrtpContext::new(keys.suite, &keys.remote));
                if let Some(worker_rtp) = n.remote {
                    let suite = keys.suite.name();
                    let (us, them) = (self.rtp_local, worker_rtp);
                    rec.capture
                        .add_srtp_key(us, them, suite, &keys.local.inline());
                    rec.capture
                        .add_srtp_key(them, us, suite, &keys.remote.inline());
                }
            }
            let security = match &n.srtp {
                Some(k) => format!("SRTP {} (SDES keys exchanged)", k.suite.name()),
                None => "plain RTP".to_string(),
            };
            media.answer = Some(format!(
                "the worker's SDP answer (live): {security}, {}/8000 (payload type {}){}, RTP to {}",
                n.codec.encoding_name(),
                n.payload_type,
                n.telephone_event
                    .map(|pt| format!(", telephone-event {pt}"))
                    .unwrap_or_default(),
                n.remote
                    .map_or_else(|| "(no address)".to_string(), |a| a.to_string())
            ));
        }
        (negotiated, srtp_in)
    }

    /// Our BYE in `dialog`, its answer drawn on the ladder (what went wrong in `media`).
    async fn hang_up(
        &self,
        dialog: &mut InDialog,
        worker: SocketAddr,
        rec: &mut Recorder,
        media: &mut Media,
    ) {
        if let Ok(bye) = dialog.request(rsip::Method::Bye).build() {
            rec.sent(Party::Worker, worker, &bye);
            match tokio::time::timeout(
                Duration::from_secs(10),
                self.handle.request(bye, worker, dialog.transport),
            )
            .await
            {
                Ok(Ok(resp)) => rec.received(Party::Worker, worker, &resp),
                Ok(Err(e)) => media.looked.push(format!("BYE: {}", client_why(&e))),
                Err(_) => media.looked.push("BYE: no answer within 10 s".into()),
            }
        }
    }

    /// A request UM sent in the dialog (answered already by the caller's endpoint): drawn on
    /// the ladder; a REFER is followed by the NOTIFY of its outcome (RFC 3515), as the Front
    /// End sends it. Returns a line for the hop.
    async fn on_um_request(
        &self,
        r: &UmRequest,
        worker: SocketAddr,
        dialog: &mut InDialog,
        rec: &mut Recorder,
        um: &mut UmSide,
    ) -> String {
        rec.answered(Party::Worker, worker, r);
        let (req, resp) = r;
        let answered = format!("{} {}", resp.status_code.code(), resp.status_code);
        match req.method {
            rsip::Method::Bye => {
                um.hung_up = true;
                um.bye_reason = Some(bye_reason(req));
                format!("UM hung up (BYE{}): answered 200 OK", reason_suffix(req))
            }
            rsip::Method::Refer => {
                let to = find_header(&req.headers, "Refer-To").unwrap_or_default();
                um.referred = Some(to.clone());
                let notify = dialog
                    .request(rsip::Method::Notify)
                    .header("Event", "refer")
                    .header("Subscription-State", "terminated;reason=noresource")
                    .body("message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n")
                    .build();
                let mut line =
                    format!("UM transfers the caller: REFER to {to} answered 202 Accepted");
                if let Ok(n) = notify {
                    rec.sent(Party::Worker, worker, &n);
                    match tokio::time::timeout(
                        Duration::from_secs(5),
                        self.handle.request(n, worker, dialog.transport),
                    )
                    .await
                    {
                        Ok(Ok(resp)) => {
                            rec.received(Party::Worker, worker, &resp);
                            line.push_str(&format!(
                                ", NOTIFY (200 OK) answered {}",
                                status_line(&resp)
                            ));
                        }
                        Ok(Err(e)) => line.push_str(&format!(", NOTIFY: {}", client_why(&e))),
                        Err(_) => line.push_str(", NOTIFY: no answer within 5 s"),
                    }
                }
                line
            }
            _ => format!("UM sent {}: answered {answered}", req.method),
        }
    }

    /// The caller's side of the media: listen to the prompts, press the digits, speak.
    async fn talk(&self, n: &Negotiated, heard: &Mutex<Heard>, media: &mut Media) {
        let Some(remote) = n.remote else {
            media.problem = Some("the worker's SDP answer has no address to send RTP to".into());
            return;
        };
        let started = Instant::now();
        if self.req.hang_up_before_beep {
            // Hang up while the greeting plays: as soon as it starts (or after a moment).
            while started.elapsed() < NO_PROMPT_WAIT && lock(heard).packets == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            media
                .looked
                .push("the caller hangs up during the greeting (before the beep)".into());
            return;
        }
        let waited = self.wait_for_prompts(heard, started).await;
        media.looked.push(waited);
        let mut sender = RtpSender::with_random_seed(n.payload_type);
        if let Some(digits) = &self.req.digits {
            match n.telephone_event {
                Some(pt) => {
                    let dtmf = DtmfSender::new(pt);
                    for d in digits.chars() {
                        let Ok(packets) = dtmf.packets(d, DIGIT_MS) else {
                            continue;
                        };
                        let ts = sender.next_timestamp();
                        let start = Instant::now();
                        for p in &packets {
                            tokio::time::sleep_until((start + p.send_after()).into()).await;
                            if let Ok(bytes) = sender.event_packet(ts, p) {
                                self.send_rtp(&bytes, remote, media).await;
                            }
                        }
                        sender.skip(DIGIT_MS * 8);
                        tokio::time::sleep(DIGIT_GAP).await;
                    }
                    media.digits = Some(digits.clone());
                    media.looked.push(format!(
                        "DTMF {digits} sent as RFC 4733 events (payload type {pt})"
                    ));
                }
                None => media.looked.push(format!(
                    "DTMF {digits} not sent: the worker's answer has no telephone-event"
                )),
            }
        }
        if !self.plan.delivers {
            return;
        }
        let (samples, source) = match self.message_samples() {
            Ok(s) => s,
            Err(e) => {
                media.problem = Some(e);
                return;
            }
        };
        let law = n.codec.law();
        let codes = law.encode(&samples);
        let mut pacer = Pacer::new(Instant::now());
        let mut sent = 0u64;
        for frame in codes.chunks(SAMPLES_PER_PACKET as usize) {
            tokio::time::sleep_until(pacer.next_deadline().into()).await;
            let late = pacer.drop_late(Instant::now());
            if late > 0 {
                sender.skip(SAMPLES_PER_PACKET * late as u32);
            }
            pacer.advance();
            if let Ok(bytes) = sender.next_packet(frame) {
                if self.send_rtp(&bytes, remote, media).await {
                    sent += 1;
                }
            }
        }
        media.looked.push(format!(
            "message: {:.1} s of {} ({source}) in {sent} RTP packets of 20 ms to {remote}",
            samples.len() as f64 / 8000.0,
            n.codec.encoding_name()
        ));
    }

    /// Sends one RTP packet and records it; whether it left.
    /// Sends one RTP packet (through SRTP on a Secured plan) and records it as sent; whether
    /// it left.
    async fn send_rtp(&self, bytes: &[u8], remote: SocketAddr, media: &mut Media) -> bool {
        let mut packet = bytes.to_vec();
        if let Some(srtp) = &mut media.srtp_out {
            if srtp.protect_rtp(&mut packet).is_err() {
                return false;
            }
        }
        if self.rtp.send_to(&packet, remote).await.is_err() {
            return false;
        }
        media.sent += 1;
        let _ = media.rtp.push(self.rtp_local, remote, Wire::Udp, &packet);
        true
    }

    /// Listens until the worker's prompts are over; says how that went.
    async fn wait_for_prompts(&self, heard: &Mutex<Heard>, started: Instant) -> String {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let now = Instant::now();
            let h = lock(heard);
            if now.duration_since(started) > self.setup.prompt_wait {
                return format!(
                    "prompts still playing after {} s: the caller speaks anyway",
                    self.setup.prompt_wait.as_secs()
                );
            }
            let Some(last_loud) = h.last_loud else {
                if now.duration_since(started) > NO_PROMPT_WAIT {
                    return format!(
                        "no prompt audio from the worker within {:.1} s ({} packet(s) of silence): the caller speaks",
                        NO_PROMPT_WAIT.as_secs_f64(),
                        h.packets
                    );
                }
                continue;
            };
            if now.duration_since(last_loud) > QUIET_AFTER_PROMPTS {
                return format!(
                    "listened to the prompts ({:.1} s, {} packets) until the beep was over",
                    now.duration_since(started).as_secs_f64(),
                    h.packets
                );
            }
        }
    }

    /// The audio the caller speaks: --wave-file as it is, else the shipped WAV looped to
    /// --message-seconds (default as offline).
    fn message_samples(&self) -> Result<(Vec<i16>, String), String> {
        if let Some(path) = &self.req.wave_file {
            let samples = crate::media::wav::read_file(path).map_err(|e| e.to_string())?;
            return Ok((samples, path.display().to_string()));
        }
        let seconds = self
            .req
            .message_seconds
            .unwrap_or(super::offline::DEFAULT_MESSAGE_SECONDS);
        let clip = crate::media::wav::decode_8k_mono(DEFAULT_MESSAGE)
            .map_err(|e| format!("the shipped message WAV: {e}"))?;
        let want = seconds as usize * 8000;
        let samples: Vec<i16> = clip.iter().copied().cycle().take(want).collect();
        Ok((samples, "the shipped ca-message-sent.wav, looped".into()))
    }

    /// Hop 8's verdict from the call's record (`<lab>/calls`): what really happened, and
    /// whether it is what the digits asked for. A serve that writes its records elsewhere
    /// leaves the outcome "not visible", never guessed.
    async fn outcome(
        &self,
        live: &mut Trace,
        details: &mut LiveDetails,
        call_id: &str,
        um_bye: Option<String>,
    ) {
        let hop8_failed = live
            .hops
            .iter()
            .any(|h| h.number == 8 && h.outcome == Outcome::Failed);
        let Some(dir) = &self.setup.records else {
            return;
        };
        let wait = if self.setup.records_certain {
            RECORD_WAIT
        } else {
            RECORD_WAIT_ELSEWHERE
        };
        let record = find_record(dir, call_id, wait).await;
        let mut looked = live
            .hops
            .iter()
            .find(|h| h.number == 8)
            .map(|h| h.looked_up.clone())
            .unwrap_or_default();
        let Some(record) = record else {
            let bye = um_bye.map(|r| {
                if r.is_empty() {
                    "UM hung up".to_string()
                } else {
                    format!("UM hung up: {r}")
                }
            });
            looked.push(format!(
                "outcome not visible: no record of Call-ID {call_id} in {} within {} s{}",
                dir.display(),
                wait.as_secs(),
                if self.setup.records_certain {
                    ""
                } else {
                    " (that serve keeps its records elsewhere)"
                }
            ));
            if let Some(bye) = bye.filter(|_| !hop8_failed) {
                looked.push(bye.clone());
                fail_hop(
                    live,
                    8,
                    looked,
                    bye,
                    "UM ended the call before the caller did, and no record says why.".into(),
                    "Read umctl serve's log for this Call-ID".into(),
                );
            } else if let Some(h) = live.hops.iter_mut().find(|h| h.number == 8) {
                h.looked_up = looked;
            }
            return;
        };
        details.record = serde_json::to_value(&record).ok();
        let outcome = record.outcome();
        looked.push(format!("call record ({}): {outcome}", dir.display()));
        if hop8_failed {
            if let Some(h) = live.hops.iter_mut().find(|h| h.number == 8) {
                h.looked_up = looked;
            }
            return;
        }
        match super::outcome::judge(&self.plan.expect, &record) {
            Ok(()) if self.plan.delivers => {
                if let Some(h) = live.hops.iter_mut().find(|h| h.number == 8) {
                    h.looked_up = looked;
                }
            }
            Ok(()) => set_hop(live, 8, looked, outcome, Outcome::Ok),
            Err(why) => {
                let fix = outcome_fix(&self.plan.expect, &record);
                fail_hop(live, 8, looked, outcome, format!("{why}."), fix);
            }
        }
    }

    /// Hop 8: the message in the mailbox (call answering), or the session (OVA, AA).
    async fn deliver(
        &self,
        live: &mut Trace,
        media: Media,
        details: &mut LiveDetails,
        call_id: &str,
    ) {
        let mut looked = media.looked;
        if let Some(problem) = &media.problem {
            fail_hop(
                live,
                8,
                looked,
                "the caller could not send its audio",
                format!("{problem}."),
                "Check the UM worker's SDP answer (umctl trace-call --live --json shows every message)".into(),
            );
            return;
        }
        if !self.plan.delivers {
            if let Some(h) = live.hops.iter_mut().find(|h| h.number == 8) {
                h.looked_up.extend(looked);
            }
            return;
        }
        let Some(mailbox) = &self.plan.mailbox else {
            looked.push("the mailbox is not a lab folder: delivery is not checked".into());
            set_hop(
                live,
                8,
                looked,
                "message sent; its delivery is not checked (a real mailbox)",
                Outcome::Info,
            );
            return;
        };
        let wait = self.setup.delivery_wait;
        let new = mailbox.maildir().join("new");
        looked.push(format!(
            "waited up to {} s for a message with {HEADER_CALL_ID}: {call_id} in {}",
            wait.as_secs(),
            new.display()
        ));
        let what = if self.req.hang_up_before_beep {
            "missed-call notification"
        } else {
            "voice message"
        };
        match wait_for_delivery(mailbox, call_id, wait).await {
            Some((file, class, preview)) => {
                looked.push(format!(
                    "delivered: {}{}",
                    file.display(),
                    class.map(|c| format!(" ({c})")).unwrap_or_default()
                ));
                // What serve --preview added by the time the message arrived (with
                // --preview-wait it arrives with it; without, it may be added later).
                if let Some(p) = preview {
                    looked.push(format!("Voice Mail Preview: {p}"));
                }
                details.delivered = Some(file.clone());
                set_hop(
                    live,
                    8,
                    looked,
                    format!("the {what} arrived in the mailbox: {}", file.display()),
                    Outcome::Ok,
                );
            }
            None => fail_hop(
                live,
                8,
                looked,
                format!("no {what} arrived within {} s", wait.as_secs()),
                format!(
                    "The UM worker answered the call{}, but no {what} with {HEADER_CALL_ID}: {call_id} arrived in {} within {} s. The worker did not record the call (it ended before the beep, or the audio did not reach it), or its delivery failed or is still waiting (an SMTP server that is down keeps the message in serve's spool).",
                    if media.sent > 0 { " and took the audio" } else { "" },
                    new.display(),
                    wait.as_secs()
                ),
                format!(
                    "Read umctl serve's log for the worker's delivery errors and look in {} (and the SMTP spool's failed/ folder); run the trace again with a longer --delivery-wait if the server is slow",
                    mailbox.maildir().display()
                ),
            ),
        }
    }
}

/// The caller's side of the dialog (we are its UAC, `sip::dialog`): builds its requests to
/// UM (ACK, NOTIFY, BYE), each with a fresh Via branch.
struct InDialog {
    dialog: Dialog,
    transport: TransportKind,
    /// The pool's FQDN and our local port (Via sent-by).
    sent_by: String,
    ids: IdGenerator,
}

impl InDialog {
    /// The dialog the INVITE of `spec` and UM's 2xx `ok` made (UM's Contact is the remote
    /// target; the INVITE's Request-URI when it sent none).
    fn new(
        spec: &InviteSpec,
        ok: &rsip::Response,
        transport: TransportKind,
        local: SocketAddr,
    ) -> Result<InDialog, TraceError> {
        let fail = |why: String| TraceError::Live {
            what: "the dialog of the call".into(),
            why,
        };
        let invite = build_invite(spec)?;
        let mut dialog = Dialog::uac(&invite, ok).map_err(|e| fail(e.to_string()))?;
        dialog
            .remote_target
            .get_or_insert_with(|| spec.request_uri.clone());
        Ok(InDialog {
            dialog,
            transport,
            sent_by: format!("{}:{}", spec.pool_fqdn, local.port()),
            ids: IdGenerator::new(),
        })
    }

    /// Our next `method` request in the dialog; the caller adds what it needs and builds it.
    fn request(&mut self, method: rsip::Method) -> RequestBuilder {
        let via = Via::new(self.transport, self.sent_by.as_str(), self.ids.branch());
        self.dialog.request(method, &via)
    }
}

/// `: the text` of a request's Reason header (RFC 3326), or nothing.
fn reason_suffix(req: &rsip::Request) -> String {
    let reason = bye_reason(req);
    if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    }
}

/// The text of a BYE's Reason header (`the UM worker is shutting down`), else empty.
fn bye_reason(req: &rsip::Request) -> String {
    find_header(&req.headers, "Reason")
        .and_then(|r| {
            let start = r.find("text=\"")? + 6;
            let end = start + r[start..].find('"')?;
            Some(r[start..end].to_string())
        })
        .unwrap_or_default()
}

/// How long an in-process serve may take to write the call's record after the call.
const RECORD_WAIT: Duration = Duration::from_secs(10);
/// How long to look for the record of a `--serve` that may keep its records elsewhere.
const RECORD_WAIT_ELSEWHERE: Duration = Duration::from_secs(3);

/// The record of `call_id` in the calls folder `dir`, waiting up to `wait` for it.
async fn find_record(dir: &Path, call_id: &str, wait: Duration) -> Option<CallRecord> {
    let store = Arc::new(CallStore::new(dir));
    let end = Instant::now() + wait;
    loop {
        let (s, id) = (store.clone(), call_id.to_string());
        let found = tokio::task::spawn_blocking(move || s.find(&id).ok().flatten())
            .await
            .ok()
            .flatten();
        if found.is_some() || Instant::now() >= end {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The fix for an outcome that is not what the digits asked for.
fn outcome_fix(expect: &Expect, record: &CallRecord) -> String {
    match expect {
        Expect::SignIn { .. } => {
            let user = record
                .logons
                .iter()
                .find_map(|l| match l {
                    Logon::WrongPin { user, .. }
                    | Logon::LockedOut { user }
                    | Logon::NoPin { user } => Some(user.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "USER".into());
            format!(
                "Press the mailbox's extension, #, its PIN, #. umctl lab pin show {user} shows the failures counted and a lockout; umctl lab pin reset {user} clears a lockout; umctl lab pin set {user} gives a new PIN"
            )
        }
        Expect::Transfer { target, .. } => format!(
            "Check that the transfer target {target} exists and that the Front End accepts UM's REFER (umctl trace-call --live --ladder shows it); the worker's answer is in umctl serve's log"
        ),
        Expect::Nothing => {
            "Read umctl serve's log for this Call-ID; a serve that stopped ends its calls with BYE".into()
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The worker's RTCP address: its RTP port + 1.
fn n_remote(n: &Result<Negotiated, crate::media::MediaError>) -> Option<SocketAddr> {
    let r = n.as_ref().ok()?.remote?;
    Some(SocketAddr::new(r.ip(), r.port().wrapping_add(1)))
}

/// The caller's RTCP until the media phase ends: a receiver report every 5 s (the first
/// after 2.5 s) about the worker's stream, answering the worker's sender reports so the
/// worker measures the round trip (RFC 3550 6.4.1).
async fn rtcp_reports(
    socket: &UdpSocket,
    heard: &Mutex<Heard>,
    worker: Option<SocketAddr>,
    mut srtcp: Option<SrtpSession>,
) {
    use crate::media::rtcp::{ntp_of, RtcpSession, FIRST_REPORT, REPORT_INTERVAL};
    let mut session = RtcpSession::new(rand_ssrc(), "umctl-trace@pool");
    let mut next = Instant::now() + FIRST_REPORT;
    let mut buf = vec![0u8; 1500];
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next.into()) => {
                next += REPORT_INTERVAL;
                let stats = lock(heard).stats.as_ref().map(RtpReceiver::stats);
                if let (Some(to), Some(stats)) = (worker, stats) {
                    let bytes = session.report(Instant::now(), ntp_of(std::time::SystemTime::now()), None, &stats);
                    if let Some(bytes) = seal_rtcp(srtcp.as_mut(), bytes) {
                        let _ = socket.send_to(&bytes, to).await;
                    }
                }
            }
            r = socket.recv_from(&mut buf) => {
                if let Ok((n, _)) = r {
                    if let Some(report) = open_rtcp(srtcp.as_mut(), &buf[..n]) {
                        let _ = session.receive(&report, Instant::now(), ntp_of(std::time::SystemTime::now()));
                    }
                }
            }
        }
    }
}

/// An SSRC for the caller's reports.
fn rand_ssrc() -> u32 {
    RtpSender::with_random_seed(0).ssrc()
}

/// Receives the worker's RTP until the call's media phase ends (the caller drops this). The
/// capture keeps packets as received; with `srtp` only those that authenticate count.
async fn listen(
    socket: &UdpSocket,
    heard: Arc<Mutex<Heard>>,
    law: Law,
    audio_pt: u8,
    mut srtp: Option<SrtpContext>,
) {
    let mut buf = vec![0u8; 2048];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            // Keep the select's other branch running.
            std::future::pending::<()>().await;
            return;
        };
        let now = Instant::now();
        let mut h = lock(&heard);
        if let Ok(local) = socket.local_addr() {
            let _ = h.rtp.push(from, local, Wire::Udp, &buf[..n]);
        }
        let clear = match &mut srtp {
            Some(ctx) => match ctx.unprotect_rtp(&buf[..n]) {
                Ok(p) => p,
                Err(_) => continue,
            },
            None => buf[..n].to_vec(),
        };
        h.packets += 1;
        let _ = h
            .stats
            .get_or_insert_with(|| RtpReceiver::new(8000))
            .receive(now, &clear);
        if let Ok(reader) = rtp_rs::RtpReader::new(&clear) {
            if reader.payload_type() == audio_pt {
                let payload = reader.payload();
                let level: u32 = law
                    .decode(payload)
                    .iter()
                    .map(|s| u32::from(s.unsigned_abs()))
                    .sum::<u32>()
                    / payload.len().max(1) as u32;
                if level > LOUD {
                    h.last_loud = Some(now);
                }
            }
        }
    }
}

/// Polls the mailbox's `Maildir/new` (and `cur`) for a message whose Call-ID header is
/// `call_id`; the file, its message class and its Voice Mail Preview header (if any).
async fn wait_for_delivery(
    mailbox: &crate::mail::Mailbox,
    call_id: &str,
    wait: Duration,
) -> Option<(PathBuf, Option<String>, Option<String>)> {
    let end = Instant::now() + wait;
    loop {
        for sub in ["new", "cur"] {
            let dir = mailbox.maildir().join(sub);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let headers = header_block(&bytes);
                if header_value(&headers, HEADER_CALL_ID).as_deref() == Some(call_id) {
                    let class = header_value(&headers, crate::mail::message::HEADER_MESSAGE_CLASS);
                    let preview = header_value(&headers, crate::um::preview::HEADER_PREVIEW);
                    return Some((path, class, preview));
                }
            }
        }
        if Instant::now() >= end {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The unfolded header lines of a MIME message.
fn header_block(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        } else {
            out.push(line.to_string());
        }
    }
    out
}

fn header_value(headers: &[String], name: &str) -> Option<String> {
    headers.iter().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// The fix of the offline trace's failure, when the live call failed where offline did not
/// predict it (the Exchange side of the call as serve runs it).
fn live_fix(offline: &Trace) -> String {
    offline
        .failure()
        .and_then(|h| h.fix.clone())
        .unwrap_or_else(|| {
            "Read the Warning of the answer above and umctl serve's log (the component names the cause)".into()
        })
}

/// Sets hop `n` and marks the hops after it as not reached when it failed.
fn set_hop(
    trace: &mut Trace,
    n: u8,
    looked: Vec<String>,
    result: impl Into<String>,
    outcome: Outcome,
) {
    if let Some(h) = trace.hops.iter_mut().find(|h| h.number == n) {
        h.looked_up = looked;
        h.result = result.into();
        h.outcome = outcome;
        if outcome != Outcome::Failed {
            h.why = None;
            h.fix = None;
        }
    }
}

fn fail_hop(
    trace: &mut Trace,
    n: u8,
    looked: Vec<String>,
    result: impl Into<String>,
    why: String,
    fix: String,
) {
    set_hop(trace, n, looked, result, Outcome::Failed);
    for h in trace.hops.iter_mut() {
        if h.number == n {
            h.why = Some(why.clone());
            h.fix = Some(fix.clone());
        } else if h.number > n {
            h.looked_up.clear();
            h.result = "not reached".into();
            h.outcome = Outcome::Skipped;
            h.why = None;
            h.fix = None;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reason_phrases_get_their_spaces_back() {
        let b = spaced_reason(b"SIP/2.0 302 MovedTemporarily\r\nCSeq: 1 INVITE\r\n\r\n".to_vec());
        assert_eq!(
            b,
            b"SIP/2.0 302 Moved Temporarily\r\nCSeq: 1 INVITE\r\n\r\n"
        );
        let b = spaced_reason(b"SIP/2.0 200 OK\r\n\r\n".to_vec());
        assert_eq!(b, b"SIP/2.0 200 OK\r\n\r\n");
        let b = spaced_reason(b"SIP/2.0 503 ServiceUnavailable\r\n\r\n".to_vec());
        assert_eq!(b, b"SIP/2.0 503 Service Unavailable\r\n\r\n");
    }

    #[test]
    fn request_uri_takes_the_real_port() {
        assert_eq!(
            with_port(
                "sip:LOC801@ex-cas01.contoso.com:5061;transport=TLS",
                41234,
                true
            ),
            "sip:LOC801@ex-cas01.contoso.com:41234;transport=TLS"
        );
        assert_eq!(
            with_port(
                "sip:LOC801@ex-cas01.contoso.com:5061;transport=TLS",
                5060,
                false
            ),
            "sip:LOC801@ex-cas01.contoso.com:5060;transport=TCP"
        );
    }

    #[test]
    fn offer_is_an_sdp_our_negotiation_answers_with_pcmu_and_dtmf() {
        let rtp: SocketAddr = "127.0.10.1:30000".parse().unwrap();
        let offer = SessionDescription::parse(&offer_sdp(rtp, 7, None)).unwrap();
        let local = LocalMedia::new("127.0.10.13".parse().unwrap(), 31000, 1);
        let (n, _) = negotiate(&offer, &local).unwrap();
        assert_eq!(n.payload_type, 0);
        assert_eq!(n.telephone_event, Some(101));
        assert_eq!(n.remote, Some(rtp));
    }

    #[test]
    fn secured_offer_is_srtp_a_secured_worker_answers_and_a_plain_one_refuses() {
        let rtp: SocketAddr = "127.0.10.1:30000".parse().unwrap();
        let ours = MasterKey::random().unwrap();
        let text = offer_sdp(rtp, 7, Some(&ours));
        assert!(
            text.contains("m=audio 30000 RTP/SAVP 0 8 101\r\n"),
            "{text}"
        );
        let offer = SessionDescription::parse(&text).unwrap();
        let worker_key = MasterKey::random().unwrap();
        let worker =
            LocalMedia::new("127.0.10.13".parse().unwrap(), 31000, 1).with_srtp(worker_key.clone());
        let (n, _) = negotiate(&offer, &worker).unwrap();
        let keys = n.srtp.unwrap();
        assert_eq!((keys.local, keys.remote), (worker_key, ours));
        let plain = LocalMedia::new("127.0.10.13".parse().unwrap(), 31000, 1);
        assert!(negotiate(&offer, &plain).is_err());
    }

    #[test]
    fn redirect_targets_resolve_through_the_hosts_table() {
        let resolve =
            |h: &str| (h == "ex-mbx02.contoso.com").then(|| "127.0.10.14".parse().unwrap());
        assert_eq!(
            target_of(
                "sip:LOC801@ex-mbx02.contoso.com:40000;transport=TLS",
                &resolve
            )
            .unwrap(),
            "127.0.10.14:40000".parse().unwrap()
        );
        assert!(target_of("sip:LOC801@nowhere.contoso.com:1", &resolve)
            .unwrap_err()
            .contains("nowhere.contoso.com"));
    }

    #[test]
    fn delivered_message_is_found_by_its_call_id_header() {
        let dir = tempfile::tempdir().unwrap();
        let mailbox = crate::mail::Mailbox::open(dir.path(), "bob").unwrap();
        let new = mailbox.maildir().join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("1.other"), "X-Umctl-Call-Id: other\r\n\r\nbody").unwrap();
        std::fs::write(
            new.join("2.ours"),
            "Subject: x\r\nX-Umctl-Call-Id:\r\n abc@pool01\r\nX-Umctl-Message-Class: IPM.Note.Microsoft.Voicemail.UM.CA\r\n\r\nX-Umctl-Call-Id: no",
        )
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let found = rt
            .block_on(wait_for_delivery(&mailbox, "abc@pool01", Duration::ZERO))
            .unwrap();
        assert!(found.0.ends_with("2.ours"));
        assert_eq!(
            found.1.as_deref(),
            Some("IPM.Note.Microsoft.Voicemail.UM.CA")
        );
        assert!(rt
            .block_on(wait_for_delivery(
                &mailbox,
                "missing",
                Duration::from_millis(150)
            ))
            .is_none());
    }
}
