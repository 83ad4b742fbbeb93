//! Every timer path of the transaction layer with a fake clock: `now` is `t0 + offset`, the
//! layer is driven through `poll_timeout`/`handle_timeout` exactly as the endpoint's loop does,
//! and nothing sleeps.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::*;
use crate::sip::message::{parse, response_to};

fn peer() -> SocketAddr {
    "127.0.0.1:5070".parse().unwrap()
}

fn request_text(method: &str, branch: &str, cseq_method: &str, to_tag: &str) -> String {
    format!(
        "{method} sip:um@lab.contoso.com SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@lab.contoso.com>;tag=alice1\r\n\
         To: <sip:um@lab.contoso.com>{to_tag}\r\n\
         Call-ID: call-1@127.0.0.1\r\n\
         CSeq: 1 {cseq_method}\r\n\
         Route: <sip:fe.lab.contoso.com;lr>\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

fn request(method: &str, branch: &str) -> rsip::Request {
    let to_tag = if method == "ACK" { ";tag=um1" } else { "" };
    match parse(request_text(method, branch, method, to_tag).as_bytes()).unwrap() {
        rsip::SipMessage::Request(r) => r,
        rsip::SipMessage::Response(_) => panic!("request expected"),
    }
}

fn msg(req: &rsip::Request) -> rsip::SipMessage {
    rsip::SipMessage::Request(req.clone())
}

fn start_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines().next().unwrap_or_default().to_string()
}

/// The start lines of every Transmit.
fn sent(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Transmit { bytes, .. } => Some(start_line(bytes)),
            _ => None,
        })
        .collect()
}

fn key_of(actions: &[Action]) -> TransactionKey {
    actions
        .iter()
        .find_map(|a| match a {
            Action::DeliverToTu(TuEvent::Request { key, .. }) => Some(key.clone()),
            _ => None,
        })
        .unwrap()
}

fn terminated(actions: &[Action]) -> Option<TransactionRecord> {
    actions.iter().find_map(|a| match a {
        Action::TransactionTerminated(r) => Some(r.clone()),
        _ => None,
    })
}

/// Runs the layer's timers from `from` up to `until` (inclusive), returning each action with
/// the millisecond offset from `t0` it happened at.
fn drive(layer: &mut TransactionLayer, t0: Instant, until: Duration) -> Vec<(u128, Action)> {
    let mut log = Vec::new();
    for _ in 0..10_000 {
        let Some(at) = layer.poll_timeout() else {
            break;
        };
        if at > t0 + until {
            break;
        }
        for a in layer.handle_timeout(at) {
            log.push(((at - t0).as_millis(), a));
        }
    }
    log
}

fn transmit_times(log: &[(u128, Action)]) -> Vec<u128> {
    log.iter()
        .filter(|(_, a)| matches!(a, Action::Transmit { .. }))
        .map(|(t, _)| *t)
        .collect()
}

fn gaps(times: &[u128], start: u128) -> Vec<u128> {
    let mut last = start;
    times
        .iter()
        .map(|t| {
            let g = t - last;
            last = *t;
            g
        })
        .collect()
}

fn new_invite(
    layer: &mut TransactionLayer,
    transport: TransportKind,
    t0: Instant,
) -> TransactionKey {
    let actions =
        layer.handle_incoming(msg(&request("INVITE", "z9hG4bKinv")), peer(), transport, t0);
    assert!(sent(&actions).is_empty(), "the 100 waits 200 ms for the TU");
    key_of(&actions)
}

/// [`new_invite`] whose TU sent a provisional response (so the client may have stopped
/// retransmitting, and Timer G runs after the final one).
fn new_invite_in_proceeding(
    layer: &mut TransactionLayer,
    transport: TransportKind,
    t0: Instant,
) -> TransactionKey {
    let key = new_invite(layer, transport, t0);
    assert_eq!(
        sent(&respond(layer, &key, 180, "Ringing", t0)),
        ["SIP/2.0 180 Ringing"]
    );
    key
}

fn respond(
    layer: &mut TransactionLayer,
    key: &TransactionKey,
    status: u16,
    reason: &str,
    now: Instant,
) -> Vec<Action> {
    let req = request(key.method(), key.branch().unwrap());
    layer
        .send_response(key, response_to(&req, status, reason, Some("um1")), now)
        .unwrap()
}

#[test]
fn invite_gets_100_trying_after_200ms_and_reaches_the_tu_once() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t0);
    assert_eq!(layer.server_state(&key), Some("Proceeding"));
    assert_eq!(layer.poll_timeout(), Some(t0 + Duration::from_millis(200)));
    // The TU has not answered within 200 ms: the 100 goes out, once.
    let log = drive(&mut layer, t0, Duration::from_secs(5));
    assert_eq!(transmit_times(&log), [200]);
    assert_eq!(layer.poll_timeout(), None, "then Proceeding has no timer");
    // A retransmitted INVITE gets the 100 again and is not delivered again.
    let again = layer.handle_incoming(
        msg(&request("INVITE", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0 + Duration::from_millis(500),
    );
    assert_eq!(sent(&again), ["SIP/2.0 100 Trying"]);
    assert!(!again.iter().any(|a| matches!(a, Action::DeliverToTu(_))));
}

#[test]
fn a_retransmitted_invite_gets_the_100_at_once_and_only_once() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t0);
    let again = layer.handle_incoming(
        msg(&request("INVITE", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0 + Duration::from_millis(50),
    );
    assert_eq!(sent(&again), ["SIP/2.0 100 Trying"]);
    // Sent: Timer Trying has nothing left to do, and a final response now runs Timer G.
    assert!(drive(&mut layer, t0, Duration::from_secs(1)).is_empty());
    respond(
        &mut layer,
        &key,
        404,
        "Not Found",
        t0 + Duration::from_secs(1),
    );
    let log = drive(&mut layer, t0, Duration::from_millis(1_600));
    assert_eq!(transmit_times(&log), [1_500]);
}

#[test]
fn a_final_answer_within_200ms_sends_no_100_and_relies_on_the_clients_timer_a() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t0);
    let at = t0 + Duration::from_millis(50);
    let first = respond(&mut layer, &key, 302, "Moved Temporarily", at);
    assert_eq!(sent(&first), ["SIP/2.0 302 Moved Temporarily"]);
    assert_eq!(layer.server_state(&key), Some("Completed"));
    // No provisional went out, so the client is still in Calling and retransmits the INVITE
    // on Timer A; each retransmission gets the 302 again. Nothing is resent on a timer.
    let dup = layer.handle_incoming(
        msg(&request("INVITE", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0 + Duration::from_millis(550),
    );
    assert_eq!(sent(&dup), ["SIP/2.0 302 Moved Temporarily"]);
    let log = drive(&mut layer, t0, Duration::from_secs(40));
    assert!(transmit_times(&log).is_empty(), "{log:?}");
    // Without its ACK the transaction still ends on Timer H (64*T1 after the 302).
    assert!(log.iter().any(|(t, a)| *t == 32_050
        && matches!(
            a,
            Action::TimedOut {
                timer: Timer::H,
                ..
            }
        )));
    assert_eq!(layer.server_state(&key), None);
}

#[test]
fn non_2xx_final_after_a_provisional_is_retransmitted_500ms_1s_2s_4s_4s_until_timer_h() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite_in_proceeding(&mut layer, TransportKind::Udp, t0);
    let first = respond(&mut layer, &key, 302, "Moved Temporarily", t0);
    assert_eq!(sent(&first), ["SIP/2.0 302 Moved Temporarily"]);
    assert_eq!(layer.server_state(&key), Some("Completed"));
    let log = drive(&mut layer, t0, Duration::from_secs(40));
    let times = transmit_times(&log);
    assert_eq!(
        gaps(&times, 0),
        [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]
    );
    // Timer H = 64*T1 = 32 s: timed out, terminated, no more timers.
    let (at, _) = log
        .iter()
        .find(|(_, a)| {
            matches!(
                a,
                Action::TimedOut {
                    timer: Timer::H,
                    ..
                }
            )
        })
        .unwrap();
    assert_eq!(*at, 32_000);
    let rec = terminated(&log.iter().map(|(_, a)| a.clone()).collect::<Vec<_>>()).unwrap();
    assert_eq!(rec.outcome, Outcome::TimedOut);
    assert_eq!(rec.status, Some(302));
    assert_eq!(rec.duration(), Duration::from_secs(32));
    assert_eq!(layer.server_state(&key), None);
    assert_eq!(layer.poll_timeout(), None);
}

#[test]
fn ack_is_absorbed_stops_retransmission_and_timer_i_ends_it() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite_in_proceeding(&mut layer, TransportKind::Udp, t0);
    respond(&mut layer, &key, 486, "Busy Here", t0);
    // One retransmission at 500 ms, then the ACK at 700 ms.
    let log = drive(&mut layer, t0, Duration::from_millis(700));
    assert_eq!(transmit_times(&log), [500]);
    let ack_at = t0 + Duration::from_millis(700);
    let ack = layer.handle_incoming(
        msg(&request("ACK", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        ack_at,
    );
    assert!(ack.is_empty(), "ACK absorbed, not delivered: {ack:?}");
    assert_eq!(layer.server_state(&key), Some("Confirmed"));
    // A retransmitted ACK is absorbed too.
    let ack2 = layer.handle_incoming(
        msg(&request("ACK", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        ack_at,
    );
    assert!(ack2.is_empty());
    // Nothing is sent after the ACK; Timer I (T4 = 5 s) ends the transaction normally.
    let log = drive(&mut layer, t0, Duration::from_secs(60));
    assert!(transmit_times(&log).is_empty(), "{log:?}");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, 5_700);
    let Action::TransactionTerminated(rec) = &log[0].1 else {
        panic!("{log:?}")
    };
    assert_eq!((rec.outcome, rec.status), (Outcome::Completed, Some(486)));
}

#[test]
fn duplicate_invite_gets_the_last_response_again() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t0);
    let invite = || msg(&request("INVITE", "z9hG4bKinv"));
    respond(&mut layer, &key, 180, "Ringing", t0);
    let dup = layer.handle_incoming(invite(), peer(), TransportKind::Udp, t0);
    assert_eq!(sent(&dup), ["SIP/2.0 180 Ringing"]);
    respond(&mut layer, &key, 302, "Moved Temporarily", t0);
    let dup = layer.handle_incoming(invite(), peer(), TransportKind::Udp, t0);
    assert_eq!(sent(&dup), ["SIP/2.0 302 Moved Temporarily"]);
    assert!(!dup.iter().any(|a| matches!(a, Action::DeliverToTu(_))));
    // A second final response is refused.
    let req = request("INVITE", "z9hG4bKinv");
    let err = layer
        .send_response(&key, response_to(&req, 200, "OK", Some("um1")), t0)
        .unwrap_err();
    assert!(matches!(
        err,
        TransactionError::FinalAlreadySent {
            status: 302,
            attempted: 200,
            ..
        }
    ));
}

#[test]
fn tcp_has_no_retransmission_and_ack_ends_at_once() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Tcp, t0);
    respond(&mut layer, &key, 302, "Moved Temporarily", t0);
    assert_eq!(layer.server_state(&key), Some("Completed"));
    let ack = layer.handle_incoming(
        msg(&request("ACK", "z9hG4bKinv")),
        peer(),
        TransportKind::Tcp,
        t0 + Duration::from_millis(10),
    );
    // Timer I is zero on TCP: terminated by the ACK itself.
    let rec = terminated(&ack).unwrap();
    assert_eq!(rec.outcome, Outcome::Completed);
    assert_eq!(rec.transport, TransportKind::Tcp);
    assert_eq!(layer.server_state(&key), None);
    assert!(drive(&mut layer, t0, Duration::from_secs(60)).is_empty());
}

#[test]
fn tcp_timer_h_still_applies_without_ack() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Tcp, t0);
    respond(&mut layer, &key, 404, "Not Found", t0);
    let log = drive(&mut layer, t0, Duration::from_secs(60));
    assert!(transmit_times(&log).is_empty());
    assert!(log.iter().any(|(t, a)| *t == 32_000
        && matches!(
            a,
            Action::TimedOut {
                timer: Timer::H,
                ..
            }
        )));
}

#[test]
fn a_2xx_ends_the_transaction_and_is_resent_until_the_ack() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t0);
    let ok = respond(&mut layer, &key, 200, "OK", t0);
    assert_eq!(sent(&ok), ["SIP/2.0 200 OK"]);
    assert_eq!(terminated(&ok).unwrap().status, Some(200));
    assert_eq!(layer.server_state(&key), None);
    // The INVITE retransmitted after the 2xx gets the 2xx, not a new transaction.
    let dup = layer.handle_incoming(
        msg(&request("INVITE", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert_eq!(sent(&dup), ["SIP/2.0 200 OK"]);
    assert!(!dup.iter().any(|a| matches!(a, Action::DeliverToTu(_))));
    let log = drive(&mut layer, t0, Duration::from_millis(3_600));
    assert_eq!(transmit_times(&log), [500, 1500, 3500]);
    // The ACK of a 2xx has its own branch; it is matched by Call-ID and CSeq and delivered.
    let ack = layer.handle_incoming(
        msg(&request("ACK", "z9hG4bKack")),
        peer(),
        TransportKind::Udp,
        t0 + Duration::from_millis(3_600),
    );
    assert!(matches!(
        ack.as_slice(),
        [Action::DeliverToTu(TuEvent::Ack {
            acknowledged: true,
            ..
        })]
    ));
    assert!(transmit_times(&drive(&mut layer, t0, Duration::from_secs(60))).is_empty());
    assert_eq!(layer.counts(), (0, 0, 0));
}

#[test]
fn a_2xx_never_acknowledged_times_out_after_64_t1() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Tcp, t0);
    respond(&mut layer, &key, 200, "OK", t0);
    let log = drive(&mut layer, t0, Duration::from_secs(60));
    // End-to-end reliability: resent over TCP as well, capped at T2.
    assert_eq!(
        gaps(&transmit_times(&log), 0),
        [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]
    );
    assert!(log.iter().any(|(t, a)| *t == 32_000
        && matches!(a, Action::TimedOut { timer: Timer::AckFor2xx, key: k } if *k == key)));
    assert_eq!(layer.counts(), (0, 0, 0));
    assert_eq!(layer.poll_timeout(), None);
}

#[test]
fn non_invite_server_absorbs_retransmissions_and_waits_timer_j_on_udp_only() {
    for (transport, j) in [
        (TransportKind::Udp, Some(32_000)),
        (TransportKind::Tcp, None),
    ] {
        let t0 = Instant::now();
        let mut layer = TransactionLayer::new(Timers::default());
        let options = || msg(&request("OPTIONS", "z9hG4bKopt"));
        let first = layer.handle_incoming(options(), peer(), transport, t0);
        assert!(sent(&first).is_empty(), "no 100 for non-INVITE");
        let key = key_of(&first);
        // Trying: a retransmission is absorbed silently.
        assert!(layer
            .handle_incoming(options(), peer(), transport, t0)
            .is_empty());
        let ok = respond(&mut layer, &key, 200, "OK", t0);
        assert_eq!(sent(&ok), ["SIP/2.0 200 OK"]);
        match j {
            Some(j) => {
                assert_eq!(layer.server_state(&key), Some("Completed"));
                let dup = layer.handle_incoming(options(), peer(), transport, t0);
                assert_eq!(sent(&dup), ["SIP/2.0 200 OK"]);
                let log = drive(&mut layer, t0, Duration::from_secs(60));
                assert!(
                    transmit_times(&log).is_empty(),
                    "responses are not retransmitted"
                );
                assert_eq!(log.len(), 1);
                assert_eq!(log[0].0, j);
            }
            None => {
                assert_eq!(terminated(&ok).unwrap().outcome, Outcome::Completed);
                assert_eq!(layer.server_state(&key), None);
            }
        }
    }
}

#[test]
fn non_invite_server_resends_the_last_provisional_in_proceeding() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let first = layer.handle_incoming(
        msg(&request("REFER", "z9hG4bKref")),
        peer(),
        TransportKind::Udp,
        t0,
    );
    let key = key_of(&first);
    respond(&mut layer, &key, 100, "Trying", t0);
    let dup = layer.handle_incoming(
        msg(&request("REFER", "z9hG4bKref")),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert_eq!(sent(&dup), ["SIP/2.0 100 Trying"]);
    assert_eq!(layer.server_state(&key), Some("Proceeding"));
}

fn to_tag_of(bytes: &[u8]) -> Option<String> {
    match parse(bytes).unwrap() {
        rsip::SipMessage::Response(r) => key::tag(&r.headers, "To"),
        rsip::SipMessage::Request(_) => None,
    }
}

#[test]
fn cancel_while_proceeding_gets_200_and_the_invite_487() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t0);
    respond(&mut layer, &key, 180, "Ringing", t0);
    let cancel = layer.handle_incoming(
        msg(&request("CANCEL", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert_eq!(
        sent(&cancel),
        ["SIP/2.0 200 OK", "SIP/2.0 487 Request Terminated"]
    );
    // Same To tag on both (9.2), the one the TU used in its 180.
    let tags: Vec<_> = cancel
        .iter()
        .filter_map(|a| match a {
            Action::Transmit { bytes, .. } => to_tag_of(bytes),
            _ => None,
        })
        .collect();
    assert_eq!(tags, ["um1", "um1"]);
    assert!(cancel.iter().any(
        |a| matches!(a, Action::DeliverToTu(TuEvent::Cancelled { invite }) if *invite == key)
    ));
    assert_eq!(layer.server_state(&key), Some("Completed"));
    // The TU's late final response is refused.
    let req = request("INVITE", "z9hG4bKinv");
    assert!(layer
        .send_response(&key, response_to(&req, 302, "Moved", Some("um1")), t0)
        .is_err());
    // The 487 is acknowledged like any non-2xx.
    layer.handle_incoming(
        msg(&request("ACK", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert_eq!(layer.server_state(&key), Some("Confirmed"));
    // A retransmitted CANCEL gets its 200 again and no second 487.
    let again = layer.handle_incoming(
        msg(&request("CANCEL", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert_eq!(sent(&again), ["SIP/2.0 200 OK"]);
}

#[test]
fn a_487_after_a_cancel_before_any_provisional_is_still_resent_on_timer_g() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t0);
    // A CANCEL before any provisional (9.1 says wait for one; not every client does, and such
    // a client may have stopped retransmitting its INVITE).
    let cancel = layer.handle_incoming(
        msg(&request("CANCEL", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0 + Duration::from_millis(50),
    );
    assert_eq!(
        sent(&cancel),
        ["SIP/2.0 200 OK", "SIP/2.0 487 Request Terminated"]
    );
    assert_eq!(layer.server_state(&key), Some("Completed"));
    // No 100 Trying any more, and the 487 is resent on Timer G until its ACK.
    let log = drive(&mut layer, t0, Duration::from_millis(1_600));
    assert_eq!(transmit_times(&log), [550, 1_550]);
    assert_eq!(
        sent(&log.into_iter().map(|(_, a)| a).collect::<Vec<_>>()),
        [
            "SIP/2.0 487 Request Terminated",
            "SIP/2.0 487 Request Terminated"
        ]
    );
}

#[test]
fn cancel_racing_the_final_response_changes_nothing() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite_in_proceeding(&mut layer, TransportKind::Udp, t0);
    respond(&mut layer, &key, 302, "Moved Temporarily", t0);
    let cancel = layer.handle_incoming(
        msg(&request("CANCEL", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t0 + Duration::from_millis(100),
    );
    assert_eq!(sent(&cancel), ["SIP/2.0 200 OK"]);
    assert!(!cancel
        .iter()
        .any(|a| matches!(a, Action::DeliverToTu(TuEvent::Cancelled { .. }))));
    // The 302 keeps being retransmitted until the ACK.
    assert_eq!(layer.server_state(&key), Some("Completed"));
    let log = drive(&mut layer, t0, Duration::from_millis(600));
    assert_eq!(
        sent(&log.into_iter().map(|(_, a)| a).collect::<Vec<_>>()),
        ["SIP/2.0 302 Moved Temporarily"]
    );
    // Same race after a 2xx: 200 to the CANCEL, the 2xx still awaits its ACK.
    let t1 = t0 + Duration::from_secs(100);
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Udp, t1);
    respond(&mut layer, &key, 200, "OK", t1);
    let cancel = layer.handle_incoming(
        msg(&request("CANCEL", "z9hG4bKinv")),
        peer(),
        TransportKind::Udp,
        t1,
    );
    assert_eq!(sent(&cancel), ["SIP/2.0 200 OK"]);
    assert_eq!(layer.counts().2, 1);
}

#[test]
fn cancel_without_a_transaction_gets_481() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let cancel = layer.handle_incoming(
        msg(&request("CANCEL", "z9hG4bKnone")),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert_eq!(
        sent(&cancel),
        ["SIP/2.0 481 Call/Transaction Does Not Exist"]
    );
}

fn client_request(method: &str, branch: &str) -> rsip::Request {
    request(method, branch)
}

fn response_msg(req: &rsip::Request, status: u16, reason: &str) -> rsip::SipMessage {
    rsip::SipMessage::Response(response_to(req, status, reason, Some("far1")))
}

#[test]
fn client_invite_timer_a_doubles_without_cap_and_timer_b_times_out() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let (key, first) = layer
        .send_request(
            client_request("INVITE", "z9hG4bKc1"),
            peer(),
            TransportKind::Udp,
            t0,
        )
        .unwrap();
    assert_eq!(sent(&first), ["INVITE sip:um@lab.contoso.com SIP/2.0"]);
    let log = drive(&mut layer, t0, Duration::from_secs(40));
    assert_eq!(transmit_times(&log), [500, 1500, 3500, 7500, 15500, 31500]);
    assert!(log.iter().any(|(t, a)| *t == 32_000
        && matches!(a, Action::TimedOut { timer: Timer::B, key: k } if *k == key)));
    assert_eq!(layer.client_state(&key), None);
}

#[test]
fn client_invite_acks_a_non_2xx_itself_and_absorbs_retransmissions() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let invite = client_request("INVITE", "z9hG4bKc2");
    let (key, _) = layer
        .send_request(invite.clone(), peer(), TransportKind::Udp, t0)
        .unwrap();
    let trying = layer.handle_incoming(
        response_msg(&invite, 100, "Trying"),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert!(matches!(
        trying.as_slice(),
        [Action::DeliverToTu(TuEvent::Response { .. })]
    ));
    assert_eq!(layer.client_state(&key), Some("Proceeding"));
    // Proceeding: no more INVITE retransmissions.
    assert!(transmit_times(&drive(&mut layer, t0, Duration::from_secs(5))).is_empty());
    let redirect = layer.handle_incoming(
        response_msg(&invite, 302, "Moved Temporarily"),
        peer(),
        TransportKind::Udp,
        t0,
    );
    let Some(Action::Transmit { bytes, .. }) = redirect.first() else {
        panic!("{redirect:?}")
    };
    let ack = match parse(bytes).unwrap() {
        rsip::SipMessage::Request(r) => r,
        rsip::SipMessage::Response(_) => panic!("ACK expected"),
    };
    crate::sip::message::validate(&rsip::SipMessage::Request(ack.clone())).unwrap();
    assert_eq!(ack.method, rsip::Method::Ack);
    assert_eq!(ack.uri, invite.uri);
    assert_eq!(key::cseq(&ack.headers).unwrap(), (1, "ACK".to_string()));
    assert_eq!(key::tag(&ack.headers, "To").as_deref(), Some("far1"));
    assert_eq!(
        TopVia::of(&ack.headers).unwrap().branch.as_deref(),
        Some("z9hG4bKc2")
    );
    assert_eq!(
        crate::sip::message::find_headers(&ack.headers, "Route"),
        ["<sip:fe.lab.contoso.com;lr>"]
    );
    assert!(redirect
        .iter()
        .any(|a| matches!(a, Action::DeliverToTu(TuEvent::Response { .. }))));
    assert_eq!(layer.client_state(&key), Some("Completed"));
    // A retransmitted 302 gets the ACK again and is not delivered twice.
    let again = layer.handle_incoming(
        response_msg(&invite, 302, "Moved Temporarily"),
        peer(),
        TransportKind::Udp,
        t0,
    );
    assert_eq!(sent(&again), ["ACK sip:um@lab.contoso.com SIP/2.0"]);
    assert_eq!(again.len(), 1);
    // Timer D (32 s on UDP).
    let log = drive(&mut layer, t0, Duration::from_secs(40));
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, 32_000);
    assert!(
        matches!(&log[0].1, Action::TransactionTerminated(r) if r.status == Some(302) && r.role == Role::Client)
    );
}

#[test]
fn client_invite_2xx_ends_it_and_tcp_has_no_timer_a() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let invite = client_request("INVITE", "z9hG4bKc3");
    let (key, _) = layer
        .send_request(invite.clone(), peer(), TransportKind::Tcp, t0)
        .unwrap();
    assert_eq!(
        layer.poll_timeout(),
        Some(t0 + Duration::from_secs(32)),
        "only Timer B"
    );
    let ok = layer.handle_incoming(
        response_msg(&invite, 200, "OK"),
        peer(),
        TransportKind::Tcp,
        t0,
    );
    assert!(sent(&ok).is_empty(), "the TU ACKs a 2xx");
    assert!(terminated(&ok).is_some());
    assert_eq!(layer.client_state(&key), None);
    // A retransmitted 2xx goes to the TU as a stray response (it resends its ACK).
    let stray = layer.handle_incoming(
        response_msg(&invite, 200, "OK"),
        peer(),
        TransportKind::Tcp,
        t0,
    );
    assert!(matches!(
        stray.as_slice(),
        [Action::DeliverToTu(TuEvent::StrayResponse { .. })]
    ));
}

#[test]
fn client_non_invite_timer_e_f_and_k() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let notify = client_request("NOTIFY", "z9hG4bKn1");
    let (key, _) = layer
        .send_request(notify.clone(), peer(), TransportKind::Udp, t0)
        .unwrap();
    let log = drive(&mut layer, t0, Duration::from_secs(40));
    assert_eq!(
        gaps(&transmit_times(&log), 0),
        [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]
    );
    assert!(log.iter().any(|(t, a)| *t == 32_000
        && matches!(a, Action::TimedOut { timer: Timer::F, key: k } if *k == key)));

    // With a provisional, Timer E continues every T2; a final starts Timer K (T4).
    let t1 = t0 + Duration::from_secs(100);
    let (key, _) = layer
        .send_request(
            client_request("NOTIFY", "z9hG4bKn2"),
            peer(),
            TransportKind::Udp,
            t1,
        )
        .unwrap();
    let p = layer.handle_incoming(
        response_msg(&notify_with_branch("z9hG4bKn2"), 100, "Trying"),
        peer(),
        TransportKind::Udp,
        t1,
    );
    assert_eq!(p.len(), 1);
    assert_eq!(layer.client_state(&key), Some("Proceeding"));
    let log = drive(&mut layer, t1, Duration::from_millis(9_000));
    assert_eq!(gaps(&transmit_times(&log), 0), [500, 4000, 4000]);
    let done_at = t1 + Duration::from_millis(9_000);
    let fin = layer.handle_incoming(
        response_msg(&notify_with_branch("z9hG4bKn2"), 200, "OK"),
        peer(),
        TransportKind::Udp,
        done_at,
    );
    assert!(matches!(
        fin.as_slice(),
        [Action::DeliverToTu(TuEvent::Response { .. })]
    ));
    assert_eq!(layer.client_state(&key), Some("Completed"));
    let absorbed = layer.handle_incoming(
        response_msg(&notify_with_branch("z9hG4bKn2"), 200, "OK"),
        peer(),
        TransportKind::Udp,
        done_at,
    );
    assert!(absorbed.is_empty());
    let log = drive(&mut layer, t1, Duration::from_secs(60));
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, 14_000, "Timer K = T4 after the final");

    // Over TCP, no Timer E and no Timer K.
    let (key, _) = layer
        .send_request(
            client_request("NOTIFY", "z9hG4bKn3"),
            peer(),
            TransportKind::Tcp,
            t1,
        )
        .unwrap();
    let fin = layer.handle_incoming(
        response_msg(
            &notify_with_branch("z9hG4bKn3"),
            480,
            "Temporarily Unavailable",
        ),
        peer(),
        TransportKind::Tcp,
        t1,
    );
    assert_eq!(terminated(&fin).unwrap().status, Some(480));
    assert_eq!(layer.client_state(&key), None);
}

fn notify_with_branch(branch: &str) -> rsip::Request {
    client_request("NOTIFY", branch)
}

#[test]
fn client_requests_need_a_cookie_branch_and_no_ack() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    assert!(matches!(
        layer.send_request(
            client_request("NOTIFY", "abc"),
            peer(),
            TransportKind::Udp,
            t0
        ),
        Err(TransactionError::NoBranch { .. })
    ));
    assert!(matches!(
        layer.send_request(
            client_request("ACK", "z9hG4bKx"),
            peer(),
            TransportKind::Udp,
            t0
        ),
        Err(TransactionError::NotATransactionMethod { .. })
    ));
    layer
        .send_request(
            client_request("NOTIFY", "z9hG4bKd"),
            peer(),
            TransportKind::Udp,
            t0,
        )
        .unwrap();
    assert!(matches!(
        layer.send_request(
            client_request("NOTIFY", "z9hG4bKd"),
            peer(),
            TransportKind::Udp,
            t0
        ),
        Err(TransactionError::DuplicateClientTransaction { .. })
    ));
}

#[test]
fn transport_error_ends_the_transaction() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    let key = new_invite(&mut layer, TransportKind::Tcp, t0);
    let actions = layer.transport_error(&key, t0);
    assert_eq!(
        terminated(&actions).unwrap().outcome,
        Outcome::TransportError
    );
    assert!(matches!(
        layer.send_response(
            &key,
            response_to(&request("INVITE", "z9hG4bKinv"), 200, "OK", None),
            t0
        ),
        Err(TransactionError::NoSuchTransaction { .. })
    ));
}

#[test]
fn many_transactions_each_keep_their_own_schedule() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default());
    for i in 0..200u64 {
        let at = t0 + Duration::from_millis(i * 10);
        let actions = layer.handle_incoming(
            msg(&request("INVITE", &format!("z9hG4bKm{i}"))),
            peer(),
            TransportKind::Udp,
            at,
        );
        let key = key_of(&actions);
        respond(&mut layer, &key, 180, "Ringing", at);
        respond(&mut layer, &key, 302, "Moved Temporarily", at);
    }
    let log = drive(&mut layer, t0, Duration::from_secs(40));
    // Each: 10 retransmissions (0.5 s to 31.5 s), then Timer H; all gone at the end.
    assert_eq!(transmit_times(&log).len(), 200 * 10);
    assert_eq!(
        log.iter()
            .filter(|(_, a)| matches!(
                a,
                Action::TimedOut {
                    timer: Timer::H,
                    ..
                }
            ))
            .count(),
        200
    );
    assert_eq!(layer.counts(), (0, 0, 0));
}
