//! The SIP endpoint on real loopback sockets (port 0): a test handler that redirects every
//! INVITE with 302 (and one that answers 200, for SipP's built-in `uac`), driven by plain UDP
//! and TCP client sockets, the RFC 4475 torture corpus, TLS with a lab certificate, the UAC
//! side (provisional responses, the ACK for a 2xx, connecting from the listener's address), and
//! SipP when it is installed (required in CI).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rsip::prelude::UntypedHeader;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::watch;

use tracing::Instrument;
use umctl::sip::endpoint::{
    CallHandler, Endpoint, EndpointConfig, HandlerResponse, RequestContext, TlsListen,
};
use umctl::sip::framing::{Frame, Framer};
use umctl::sip::message::response_to;
use umctl::sip::transaction::Timers;

/// Short timers so retransmissions show within a test: T1 100 ms, T2 400 ms, T4 500 ms.
fn fast_timers() -> Timers {
    Timers {
        t1: Duration::from_millis(100),
        t2: Duration::from_millis(400),
        t4: Duration::from_millis(500),
    }
}

/// Redirects INVITEs with 302 to the worker port, like Exchange's call router.
struct Redirect;

impl CallHandler for Redirect {
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        if request.method != rsip::Method::Invite {
            return HandlerResponse::not_handled();
        }
        let mut resp = response_to(request, 302, "Moved Temporarily", Some(&ctx.to_tag));
        resp.headers.push(rsip::Header::Other(
            "Contact".into(),
            "<sip:um@127.0.0.1:5065;transport=TCP>".into(),
        ));
        HandlerResponse::respond(resp)
    }
}

/// Answers INVITE with 200 and a Contact (for SipP's `uac`, which then ACKs and BYEs).
struct Answer {
    contact: String,
}

impl CallHandler for Answer {
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        if request.method != rsip::Method::Invite {
            return HandlerResponse::not_handled();
        }
        let mut resp = response_to(request, 200, "OK", Some(&ctx.to_tag));
        resp.headers
            .push(rsip::Header::Other("Contact".into(), self.contact.clone()));
        HandlerResponse::respond(resp)
    }
}

struct Running {
    endpoint: Endpoint,
    stop: watch::Sender<bool>,
    /// The endpoint's log lines (one per finished transaction).
    log: crate::log_capture::Capture,
}

impl Running {
    fn udp(&self) -> SocketAddr {
        self.endpoint.addrs().udp.unwrap()
    }

    fn tcp(&self) -> SocketAddr {
        self.endpoint.addrs().tcp.unwrap()
    }

    /// Shuts down and checks that every task stops promptly.
    async fn stop(self) {
        self.stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), self.endpoint.wait())
            .await
            .expect("endpoint stops within 5 s of the shutdown signal");
    }
}

async fn start_with(handler: Arc<dyn CallHandler>, config: EndpointConfig) -> Running {
    let (stop, shutdown) = watch::channel(false);
    let log = crate::log_capture::Capture::new();
    let endpoint = Endpoint::start(config, handler, shutdown)
        .instrument(log.span())
        .await
        .unwrap();
    Running {
        endpoint,
        stop,
        log,
    }
}

async fn start(handler: Arc<dyn CallHandler>) -> Running {
    let config = EndpointConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        timers: fast_timers(),
        ..EndpointConfig::default()
    };
    start_with(handler, config).await
}

fn request(method: &str, branch: &str, call_id: &str, to_tag: &str, transport: &str) -> String {
    format!(
        "{method} sip:+14255550100@um.lab.contoso.com SIP/2.0\r\n\
         Via: SIP/2.0/{transport} 127.0.0.1:5099;branch={branch};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@lab.contoso.com>;tag=alice1\r\n\
         To: <sip:+14255550100@um.lab.contoso.com>{to_tag}\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 {method}\r\n\
         Diversion: <sip:4100@lab.contoso.com>;reason=no-answer\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

async fn recv(sock: &UdpSocket, wait: Duration) -> Option<String> {
    let mut buf = vec![0u8; 65_536];
    match tokio::time::timeout(wait, sock.recv(&mut buf)).await {
        Ok(Ok(n)) => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        _ => None,
    }
}

fn status(msg: &str) -> u16 {
    msg.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn to_tag(msg: &str) -> String {
    let to = msg
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("to:"))
        .unwrap_or_default();
    to.split(";tag=")
        .nth(1)
        .unwrap_or_default()
        .trim()
        .to_string()
}

async fn udp_client(server: SocketAddr) -> UdpSocket {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.connect(server).await.unwrap();
    sock
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_invite_gets_100_and_302_and_the_ack_stops_retransmission() {
    // The handler takes 400 ms for these calls: the 100 Trying goes out after 200 ms, so the
    // client stops retransmitting and the 302 is resent on Timer G until its ACK.
    let ep = start(Arc::new(SlowRedirect)).await;
    let sock = udp_client(ep.udp()).await;
    let invite = request("INVITE", "z9hG4bKu1", "slow-udp-1", "", "UDP");
    let sent = std::time::Instant::now();
    sock.send(invite.as_bytes()).await.unwrap();
    let trying = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&trying), 100, "{trying}");
    assert!(
        sent.elapsed() >= Duration::from_millis(200),
        "the 100 waited for the handler"
    );
    let redirect = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&redirect), 302, "{redirect}");
    assert!(redirect.contains("Contact: <sip:um@127.0.0.1:5065;transport=TCP>"));
    let tag = to_tag(&redirect);
    assert!(!tag.is_empty(), "the 302 carries a To tag: {redirect}");
    // A duplicate INVITE is absorbed: the 302 again, the handler is not asked twice.
    sock.send(invite.as_bytes()).await.unwrap();
    let again = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&again), 302);
    let ack = request(
        "ACK",
        "z9hG4bKu1",
        "slow-udp-1",
        &format!(";tag={tag}"),
        "UDP",
    );
    sock.send(ack.as_bytes()).await.unwrap();
    // Drain what was in flight before the ACK landed, then expect silence (T1 = 100 ms, so a
    // missed ACK would show a retransmission within 100-400 ms).
    while let Some(late) = recv(&sock, Duration::from_millis(50)).await {
        assert_eq!(status(&late), 302);
    }
    assert_eq!(recv(&sock, Duration::from_millis(900)).await, None);

    // Control: without an ACK, the 302 is retransmitted (so the silence above means something).
    let sock2 = udp_client(ep.udp()).await;
    sock2
        .send(request("INVITE", "z9hG4bKu2", "slow-udp-2", "", "UDP").as_bytes())
        .await
        .unwrap();
    let mut statuses = Vec::new();
    while let Some(m) = recv(&sock2, Duration::from_millis(400)).await {
        statuses.push(status(&m));
        if statuses.len() >= 4 {
            break;
        }
    }
    assert_eq!(statuses, [100, 302, 302, 302]);
    // The first INVITE's transaction ended (ACK + Timer I); one log line for it.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let records = ep.log.lines();
    let first: Vec<_> = records
        .iter()
        .filter(|r| r["call_id"] == "slow-udp-1")
        .collect();
    assert_eq!(first.len(), 1, "{records:?}");
    assert_eq!(first[0]["status"], 302);
    assert_eq!(first[0]["outcome"], "completed");
    ep.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_invite_answered_at_once_gets_only_the_302_and_its_retransmission_gets_it_again() {
    let ep = start(Arc::new(Redirect)).await;
    let sock = udp_client(ep.udp()).await;
    let invite = request("INVITE", "z9hG4bKf1", "fast-1", "", "UDP");
    sock.send(invite.as_bytes()).await.unwrap();
    // Answered within 200 ms: no 100 Trying, one datagram.
    let redirect = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&redirect), 302, "{redirect}");
    // No provisional reached the client, so it is the one retransmitting (Timer A): nothing
    // comes on a timer (T1 = 100 ms here, so Timer G would have resent 3 times by 700 ms)...
    assert_eq!(recv(&sock, Duration::from_millis(900)).await, None);
    // ...and its retransmitted INVITE gets the same 302 from the transaction.
    sock.send(invite.as_bytes()).await.unwrap();
    let again = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!((status(&again), to_tag(&again)), (302, to_tag(&redirect)));
    let tag = format!(";tag={}", to_tag(&redirect));
    sock.send(request("ACK", "z9hG4bKf1", "fast-1", &tag, "UDP").as_bytes())
        .await
        .unwrap();
    // The ACK ends it normally (Timer I = T4 = 500 ms here): one log line, completed.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let records = ep.log.lines();
    let fast: Vec<_> = records
        .iter()
        .filter(|r| r["call_id"] == "fast-1")
        .collect();
    assert_eq!(fast.len(), 1, "{records:?}");
    assert_eq!(
        (fast[0]["status"].as_u64(), fast[0]["outcome"].as_str()),
        (Some(302), Some("completed"))
    );
    ep.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_is_answered_and_in_dialog_requests_without_a_dialog_get_481() {
    let ep = start(Arc::new(Redirect)).await;
    let sock = udp_client(ep.udp()).await;
    sock.send(request("OPTIONS", "z9hG4bKo1", "o-1", "", "UDP").as_bytes())
        .await
        .unwrap();
    let ok = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&ok), 200, "{ok}");
    assert!(ok.contains("Allow: INVITE"), "{ok}");
    sock.send(request("BYE", "z9hG4bKb1", "nodialog", ";tag=x", "UDP").as_bytes())
        .await
        .unwrap();
    let r = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&r), 481, "{r}");
    // An unknown method is 501 with Allow; a malformed CSeq is 400 with a Warning.
    sock.send(request("FOO", "z9hG4bKf1", "f-1", "", "UDP").as_bytes())
        .await
        .unwrap();
    let r = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&r), 501, "{r}");
    assert!(r.contains("Allow:"), "{r}");
    let bad = request("OPTIONS", "z9hG4bKo2", "o-2", "", "UDP")
        .replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
    sock.send(bad.as_bytes()).await.unwrap();
    let r = recv(&sock, Duration::from_secs(2)).await.unwrap();
    assert_eq!(status(&r), 400, "{r}");
    assert!(r.contains("Warning: 399 umctl"), "{r}");
    ep.stop().await;
}

/// [`Redirect`], after 400 ms for a Call-ID starting with `slow` (time for a CANCEL).
struct SlowRedirect;

impl CallHandler for SlowRedirect {
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        let call_id = umctl::sip::find_header(&request.headers, "Call-ID").unwrap_or_default();
        if call_id.starts_with("slow") {
            std::thread::sleep(Duration::from_millis(400));
        }
        Redirect.handle_request(request, ctx)
    }
}

/// The shards the Call-IDs fall on (so the test knows it spreads calls over all of them).
fn shards_of(call_ids: &[String], shards: usize) -> std::collections::BTreeSet<usize> {
    call_ids
        .iter()
        .map(|c| umctl::sip::shard::shard_of_call_id(c, shards))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_spread_over_four_shards_keep_their_transactions_on_one() {
    let config = EndpointConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        timers: fast_timers(),
        shards: 4,
        ..EndpointConfig::default()
    };
    let ep = start_with(Arc::new(SlowRedirect), config).await;
    let ids: Vec<String> = (0..12).map(|n| format!("shard-{n}")).collect();
    assert_eq!(shards_of(&ids, 4).len(), 4, "the calls cover every shard");
    let mut socks = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let sock = udp_client(ep.udp()).await;
        let invite = request("INVITE", &format!("z9hG4bKs{n}"), id, "", "UDP");
        sock.send(invite.as_bytes()).await.unwrap();
        // Answered at once: the 302 without a 100 Trying.
        let redirect = recv(&sock, Duration::from_secs(2)).await.unwrap();
        assert_eq!(status(&redirect), 302, "{redirect}");
        // The retransmitted INVITE reaches the same transaction: the same 302 again.
        sock.send(invite.as_bytes()).await.unwrap();
        let again = recv(&sock, Duration::from_secs(2)).await.unwrap();
        assert_eq!((status(&again), to_tag(&again)), (302, to_tag(&redirect)));
        // The ACK (every other one with the compact Call-ID) is absorbed by that transaction.
        let tag = format!(";tag={}", to_tag(&redirect));
        let mut ack = request("ACK", &format!("z9hG4bKs{n}"), id, &tag, "UDP");
        if n % 2 == 1 {
            ack = ack.replace("Call-ID: ", "i:  ");
        }
        sock.send(ack.as_bytes()).await.unwrap();
        socks.push(sock);
    }
    // No 302 is retransmitted once its ACK landed (T1 = 100 ms: a lost ACK shows within 900 ms).
    tokio::time::sleep(Duration::from_millis(900)).await;
    for sock in &socks {
        while let Some(late) = recv(sock, Duration::from_millis(20)).await {
            assert_eq!(status(&late), 302, "{late}");
        }
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    for (sock, id) in socks.iter().zip(&ids) {
        assert_eq!(recv(sock, Duration::from_millis(20)).await, None, "{id}");
    }
    // A CANCEL finds its INVITE (same Call-ID, same shard): 200 for it, 487 for the INVITE.
    let slow: Vec<String> = (0..6).map(|n| format!("slow-{n}")).collect();
    assert!(
        shards_of(&slow, 4).len() >= 2,
        "the slow calls use several shards"
    );
    for (n, id) in slow.iter().enumerate() {
        let sock = udp_client(ep.udp()).await;
        let branch = format!("z9hG4bKc{n}");
        sock.send(request("INVITE", &branch, id, "", "UDP").as_bytes())
            .await
            .unwrap();
        assert_eq!(
            status(&recv(&sock, Duration::from_secs(2)).await.unwrap()),
            100
        );
        sock.send(request("CANCEL", &branch, id, "", "UDP").as_bytes())
            .await
            .unwrap();
        let mut got: Vec<(u16, bool)> = Vec::new();
        while got.len() < 2 {
            let m = recv(&sock, Duration::from_secs(2))
                .await
                .expect("two answers");
            got.push((status(&m), m.contains("CSeq: 1 CANCEL")));
        }
        got.sort_unstable();
        assert_eq!(got, [(200, true), (487, false)], "{id}");
    }
    ep.stop().await;
}

/// Reads framed messages from a stream until `count` arrive or `wait` passes.
async fn read_messages(stream: &mut TcpStream, count: usize, wait: Duration) -> Vec<String> {
    let mut framer = Framer::default();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65_536];
    let deadline = tokio::time::Instant::now() + wait;
    while out.len() < count {
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => break,
        };
        framer.push(&buf[..n]);
        while let Ok(Some(frame)) = framer.next_frame() {
            if let Frame::Message(m) = frame {
                out.push(String::from_utf8_lossy(&m).into_owned());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_pipelined_messages_in_one_write_are_both_answered() {
    let ep = start(Arc::new(Redirect)).await;
    let mut stream = TcpStream::connect(ep.tcp()).await.unwrap();
    let two = format!(
        "{}{}",
        request("OPTIONS", "z9hG4bKt1", "tcp-1", "", "TCP"),
        request("INVITE", "z9hG4bKt2", "tcp-2", "", "TCP")
    );
    stream.write_all(two.as_bytes()).await.unwrap();
    let got = read_messages(&mut stream, 2, Duration::from_secs(3)).await;
    let mut by_call: Vec<(String, u16)> = got
        .iter()
        .map(|m| {
            let call = m
                .lines()
                .find(|l| l.starts_with("Call-ID:"))
                .unwrap_or_default()
                .trim_start_matches("Call-ID:")
                .trim()
                .to_string();
            (call, status(m))
        })
        .collect();
    by_call.sort();
    assert_eq!(
        by_call,
        [("tcp-1".to_string(), 200), ("tcp-2".to_string(), 302)],
        "{got:?}"
    );
    // Responses carry Content-Length on the stream (rsipstack #31).
    assert!(got.iter().all(|m| m.contains("Content-Length: 0")));
    // A keep-alive ping gets a pong, and the connection stays usable.
    stream.write_all(b"\r\n\r\n").await.unwrap();
    let mut pong = [0u8; 2];
    tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut pong))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&pong, b"\r\n");
    ep.stop().await;
}

fn corpus(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/rfc4475")
        .join(format!("{name}.dat"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// RFC 4475 3.1.1, the valid messages (the two responses get no answer).
const VALID: &[&str] = &[
    "wsinv",
    "intmeth",
    "esc01",
    "escnull",
    "esc02",
    "lwsdisp",
    "longreq",
    "dblreq",
    "semiuri",
    "transports",
    "mpart01",
    "unreason",
    "noreason",
];

/// RFC 4475 3.1.2, the invalid messages.
const INVALID: &[&str] = &[
    "clerr",
    "ncl",
    "ltgtruri",
    "lwsruri",
    "lwsstart",
    "trws",
    "bigcode",
    "badinv01",
    "scalar02",
    "scalarlg",
    "quotbal",
    "baddate",
    "regbadct",
    "badaspec",
    "baddn",
    "escruri",
    "badvers",
    "mismatch01",
    "mismatch02",
];

fn is_response(bytes: &[u8]) -> bool {
    bytes.starts_with(b"SIP/")
}

/// The final (or only) answer to one datagram, from a fresh socket.
async fn answer_udp(server: SocketAddr, bytes: &[u8]) -> Option<u16> {
    let sock = udp_client(server).await;
    sock.send(bytes).await.unwrap();
    let mut last = None;
    while let Some(m) = recv(&sock, Duration::from_millis(700)).await {
        let s = status(&m);
        last = Some(s);
        if s >= 200 {
            break;
        }
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc4475_corpus_over_udp_and_tcp() {
    let ep = start(Arc::new(Redirect)).await;
    for name in VALID {
        let bytes = corpus(name);
        let got = answer_udp(ep.udp(), &bytes).await;
        if is_response(&bytes) {
            assert_eq!(got, None, "{name}: a response gets no answer");
        } else {
            let s = got.unwrap_or_else(|| panic!("{name}: no answer over UDP"));
            assert!(
                s != 400 && s >= 200,
                "{name}: valid request answered {s} over UDP"
            );
        }
    }
    for name in INVALID {
        // 400 (or 501/505/416 for what RFC 4475 allows), or dropped: never a success.
        let got = answer_udp(ep.udp(), &corpus(name)).await;
        if let Some(s) = got {
            assert!(s >= 400, "{name}: invalid request answered {s}");
        }
    }
    ep.stop().await;
    // Over TCP, each on its own connection, on a fresh endpoint (the UDP run's transactions
    // would otherwise absorb these as retransmissions: same Via branch and sent-by).
    // inv2543 (no Content-Length) cannot be framed on a stream (RFC 3261 18.3); it is not in
    // VALID.
    let ep = start(Arc::new(Redirect)).await;
    for name in VALID {
        let bytes = corpus(name);
        let mut stream = TcpStream::connect(ep.tcp()).await.unwrap();
        stream.write_all(&bytes).await.unwrap();
        let got = read_messages(&mut stream, 2, Duration::from_millis(700)).await;
        if is_response(&bytes) {
            assert!(got.is_empty(), "{name}: {got:?}");
            continue;
        }
        let last = got.iter().map(|m| status(m)).rfind(|s| *s >= 200);
        let s = last.unwrap_or_else(|| panic!("{name}: no final answer over TCP: {got:?}"));
        assert!(s != 400, "{name}: valid request answered {s} over TCP");
    }
    for name in INVALID {
        let mut stream = TcpStream::connect(ep.tcp()).await.unwrap();
        stream.write_all(&corpus(name)).await.unwrap();
        let _ = stream.shutdown().await;
        for m in read_messages(&mut stream, 2, Duration::from_millis(500)).await {
            assert!(status(&m) >= 400 || status(&m) == 100, "{name}: {m}");
        }
    }
    // Still alive and answering after the torture.
    let sock = udp_client(ep.udp()).await;
    sock.send(request("OPTIONS", "z9hG4bKalive", "alive", "", "UDP").as_bytes())
        .await
        .unwrap();
    assert_eq!(
        status(&recv(&sock, Duration::from_secs(2)).await.unwrap()),
        200
    );
    ep.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_garbage_never_kills_the_endpoint() {
    let ep = start(Arc::new(Redirect)).await;
    let sock = udp_client(ep.udp()).await;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let base = request("INVITE", "z9hG4bKg", "garbage", "", "UDP").into_bytes();
    for i in 0..300 {
        let mut msg = base.clone();
        // Flip a few bytes (xorshift), sometimes truncate.
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % msg.len();
            msg[at] = (seed >> 32) as u8;
        }
        if i % 3 == 0 {
            msg.truncate((seed as usize) % msg.len());
        }
        sock.send(&msg).await.unwrap();
    }
    let mut stream = TcpStream::connect(ep.tcp()).await.unwrap();
    stream
        .write_all(b"INVITE sip:x SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n")
        .await
        .unwrap();
    // UDP may drop under load: the probe retransmits, as a UAC would (Timer E).
    let probe = udp_client(ep.udp()).await;
    let mut got = None;
    for _ in 0..10 {
        probe
            .send(request("OPTIONS", "z9hG4bKafter", "after", "", "UDP").as_bytes())
            .await
            .unwrap();
        if let Some(m) = recv(&probe, Duration::from_secs(1)).await {
            got = Some(status(&m));
            break;
        }
    }
    assert_eq!(got, Some(200));
    ep.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_lab_certificate_answers_options() {
    use rustls::pki_types::ServerName;
    use umctl::sip::transport::certs::LabCa;
    use umctl::sip::transport::tls::{client_config, server_config, TlsSettings};

    let dir = tempfile::tempdir().unwrap();
    let ca = LabCa::load_or_create(dir.path()).unwrap();
    let issued = ca
        .issue("um1.lab.contoso.com", &["127.0.0.1".parse().unwrap()])
        .unwrap();
    let server = server_config(&TlsSettings {
        cert_chain_pem: issued.chain_pem.clone(),
        key_pem: issued.key_pem.clone(),
        ..TlsSettings::default()
    })
    .unwrap();
    let config = EndpointConfig {
        bind: None,
        tls: Some(TlsListen {
            bind: "127.0.0.1:0".parse().unwrap(),
            server,
            client: None,
        }),
        timers: fast_timers(),
        ..EndpointConfig::default()
    };
    let ep = start_with(Arc::new(Redirect), config).await;
    let addr = ep.endpoint.addrs().tls.unwrap();
    assert!(ep.endpoint.addrs().udp.is_none());
    let connector = tokio_rustls::TlsConnector::from(client_config(ca.cert_pem(), None).unwrap());
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("um1.lab.contoso.com").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(request("OPTIONS", "z9hG4bKtls", "tls-1", "", "TLS").as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), tls.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert_eq!(status(&text), 200, "{text}");
    // The wrong name is refused by the client: the certificate names only the FQDN and IP.
    let tcp = TcpStream::connect(addr).await.unwrap();
    let wrong = ServerName::try_from("other.lab.contoso.com").unwrap();
    assert!(connector.connect(wrong, tcp).await.is_err());
    ep.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_sends_a_notify_as_a_client_transaction() {
    // A second endpoint plays the peer; its handler ignores NOTIFY, so the default 501 comes
    // back through the client transaction.
    let peer = start(Arc::new(Redirect)).await;
    let ep = start(Arc::new(Redirect)).await;
    let ids = umctl::sip::ids::IdGenerator::new();
    let text = format!(
        "NOTIFY sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {};branch={}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:um@lab>;tag={}\r\nTo: <sip:alice@lab>\r\n\
         Call-ID: {}\r\nCSeq: 1 NOTIFY\r\nEvent: message-summary\r\n\
         Subscription-State: terminated\r\nContent-Length: 0\r\n\r\n",
        ep.udp(),
        ids.branch(),
        ids.tag(),
        ids.call_id("lab")
    );
    let rsip::SipMessage::Request(notify) = umctl::sip::message::parse(text.as_bytes()).unwrap()
    else {
        panic!("request")
    };
    let resp = ep
        .endpoint
        .handle()
        .request(
            notify.clone(),
            peer.udp(),
            umctl::sip::transport::TransportKind::Udp,
        )
        .await
        .unwrap();
    assert_eq!(resp.status_code.code(), 501);
    // Nobody listening: Timer F (64*T1 = 6.4 s with the fast timers).
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut again = notify;
    again.headers.retain(|h| !matches!(h, rsip::Header::Via(_)));
    again
        .headers
        .push(rsip::Header::Via(rsip::headers::Via::new(format!(
            "SIP/2.0/UDP {};branch={}",
            ep.udp(),
            ids.branch()
        ))));
    let err = ep
        .endpoint
        .handle()
        .request(
            again,
            silent.local_addr().unwrap(),
            umctl::sip::transport::TransportKind::Udp,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Timer F"), "{err}");
    peer.stop().await;
    ep.stop().await;
}

/// Rings, then answers 200; counts the ACKs and notes where INVITEs come from.
#[derive(Default)]
struct RingThenAnswer {
    acks: std::sync::atomic::AtomicUsize,
    peers: Mutex<Vec<SocketAddr>>,
}

impl CallHandler for RingThenAnswer {
    fn handle_request(&self, request: &rsip::Request, ctx: &RequestContext) -> HandlerResponse {
        if request.method != rsip::Method::Invite {
            return HandlerResponse::not_handled();
        }
        self.peers.lock().unwrap().push(ctx.peer);
        let mut ok = response_to(request, 200, "OK", Some(&ctx.to_tag));
        ok.headers.push(rsip::Header::Other(
            "Contact".into(),
            format!("<sip:um@{};transport=TCP>", ctx.local),
        ));
        HandlerResponse {
            provisional: vec![response_to(request, 180, "Ringing", Some(&ctx.to_tag))],
            final_response: Some(ok),
        }
    }

    fn on_ack(&self, _ack: &rsip::Request, _ctx: &RequestContext) {
        self.acks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uac_sees_the_180_acks_the_200_and_connects_from_its_own_address() {
    let handler = Arc::new(RingThenAnswer::default());
    let peer = start(handler.clone()).await;
    // The caller listens on 127.0.0.2 only: its TCP connection must leave from there.
    let caller = start_with(
        Arc::new(Redirect),
        EndpointConfig {
            bind: Some("127.0.0.2:0".parse().unwrap()),
            udp: false,
            tcp: true,
            timers: fast_timers(),
            ..EndpointConfig::default()
        },
    )
    .await;
    let ids = umctl::sip::ids::IdGenerator::new();
    let (tag, call_id) = (ids.tag(), ids.call_id("lab"));
    let invite = format!(
        "INVITE sip:um@{} SIP/2.0\r\nVia: SIP/2.0/TCP {};branch={}\r\nMax-Forwards: 70\r\n\
         From: <sip:pool@lab>;tag={tag}\r\nTo: <sip:um@lab>\r\nCall-ID: {call_id}\r\n\
         CSeq: 1 INVITE\r\nContact: <sip:pool@{};transport=TCP>\r\nContent-Length: 0\r\n\r\n",
        peer.tcp(),
        caller.tcp(),
        ids.branch(),
        caller.tcp(),
    );
    let rsip::SipMessage::Request(invite) = umctl::sip::message::parse(invite.as_bytes()).unwrap()
    else {
        panic!("request")
    };
    let tcp = umctl::sip::transport::TransportKind::Tcp;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let ok = caller
        .endpoint
        .handle()
        .request_with(invite, peer.tcp(), tcp, Some(tx))
        .await
        .unwrap();
    assert_eq!(ok.status_code.code(), 200);
    let mut provisional = Vec::new();
    while let Ok(p) = rx.try_recv() {
        provisional.push(p.status_code.code());
    }
    assert!(provisional.contains(&180), "{provisional:?}");
    assert_eq!(
        handler.peers.lock().unwrap()[0].ip().to_string(),
        "127.0.0.2",
        "the connection leaves from the caller's listening address"
    );
    let to = umctl::sip::message::find_header(&ok.headers, "To").unwrap();
    let ack = format!(
        "ACK sip:um@{} SIP/2.0\r\nVia: SIP/2.0/TCP {};branch={}\r\nMax-Forwards: 70\r\n\
         From: <sip:pool@lab>;tag={tag}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
         CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        peer.tcp(),
        caller.tcp(),
        ids.branch(),
    );
    let rsip::SipMessage::Request(ack) = umctl::sip::message::parse(ack.as_bytes()).unwrap() else {
        panic!("request")
    };
    caller
        .endpoint
        .handle()
        .send_stateless(ack, peer.tcp(), tcp)
        .await
        .unwrap();
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while handler.acks.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            std::time::Instant::now() < end,
            "the ACK never reached the peer"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    caller.stop().await;
    peer.stop().await;
}

/// A free port on 127.0.0.1 for SipP (bound and released).
fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sipp_available() -> bool {
    std::process::Command::new("sipp")
        .arg("-v")
        .output()
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sipp_uac_scenario_over_udp_and_tcp() {
    if !sipp_available() {
        crate::support::skip_for_missing_peer(
            "sipp_uac_scenario_over_udp_and_tcp",
            "sipp (apt-get install sip-tester)",
        );
        return;
    }
    for (flag, kind) in [("u1", "UDP"), ("t1", "TCP")] {
        let config = EndpointConfig {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            ..EndpointConfig::default()
        };
        // The Contact is only used as the ACK/BYE Request-URI.
        let handler = Arc::new(Answer {
            contact: "<sip:um@127.0.0.1>".into(),
        });
        let ep = start_with(handler, config).await;
        let target = if kind == "UDP" { ep.udp() } else { ep.tcp() };
        let (local, media, control) = (free_port(), free_port(), free_port());
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("sipp")
                .args([
                    &target.to_string(),
                    "-sn",
                    "uac",
                    "-t",
                    flag,
                    "-m",
                    "1",
                    "-i",
                    "127.0.0.1",
                    "-p",
                    &local.to_string(),
                    "-mi",
                    "127.0.0.1",
                    "-mp",
                    &media.to_string(),
                    "-ci",
                    "127.0.0.1",
                    "-cp",
                    &control.to_string(),
                    "-timeout",
                    "20s",
                    "-timeout_error",
                    "-nostdin",
                ])
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let records = ep.log.lines();
        assert!(
            output.status.success(),
            "sipp uac over {kind} failed ({:?})\nstdout:\n{}\nstderr:\n{}\nlog: {records:?}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        ep.stop().await;
        // INVITE (200) and BYE (200) both logged.
        let methods: Vec<_> = records
            .iter()
            .map(|r| (r["method"].as_str(), r["status"].as_u64()))
            .collect();
        assert!(
            methods.contains(&(Some("INVITE"), Some(200))),
            "{methods:?}"
        );
    }
}
