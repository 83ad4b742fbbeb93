//! `serve::Delivery`, built the way `umctl serve` builds it (`MailOptions::for_lab`,
//! `DeliveryConfig::for_server` for EX-MBX02) on a granted lab, without a call:
//! - SMTP: a voice message reaches a real aiosmtpd on loopback, and MWI follows the 250;
//!   with the server down the message waits in `<lab>/spool`, survives dropping the service
//!   (serve exiting) and arrives when a new service starts with the server up;
//! - Maildir + MWI: the message lands in `<lab>/mailboxes/bob/Maildir/new`, and SIPp UASes on
//!   pool01's and pool02's lab addresses (the gateways of LOC801 that allow MWI) each get a
//!   `message-summary` NOTIFY with Bob's new/old counts; a missed call sends none;
//! - MWI comes from the user's own mailbox server: with EX-MBX01 and EX-MBX02 both sending,
//!   Contoso Sales (homed on EX-MBX01) gets NOTIFYs from 127.0.20.11, Bob (EX-MBX02) from
//!   127.0.20.12;
//! - retry: a gateway that does not answer the first NOTIFY gets it again and answers 200;
//! - TLS: a Secured dial plan's gateway gets the NOTIFY over TLS (lab CA);
//! - the real `umctl serve --smtp`: sends what an earlier run left in the spool, logs the
//!   SMTP outcome and each NOTIFY; a bad `--smtp` URL is a usage error naming it.
//!
//! SMTP tests skip loudly without aiosmtpd, SIPp tests without sipp; both fail in CI.

use std::fs;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::broadcast;
use tracing::Instrument;
use umctl::directory::lab::LabDirectory;
use umctl::mail::{Backoff, DeliveryReceipt, MailAddress, MissedCall, SmtpConfig, SpoolEvent};
use umctl::serve::{
    Delivery, DeliveryConfig, DeliveryEvent, Exchange, MailOptions, MwiAttempt, MwiConfig,
    ServerPlan,
};

use crate::log_capture::Capture;
use umctl::um::BoundPorts;

use crate::mail_smtp::{aiosmtpd_available, attachment, free_port, header, recording, SmtpServer};
use crate::support::TempLab;

const WAIT: Duration = Duration::from_secs(20);
const LOC801: &str =
    "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const GATEWAYS: &str =
    "CN=UM IPGateway Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
/// pool01.contoso.com and pool02.contoso.com in the lab hosts table.
const POOL01: &str = "127.0.10.1";
const POOL02: &str = "127.0.10.2";

fn sipp_available(test: &str) -> bool {
    let found = Command::new("sipp").arg("-v").output().is_ok();
    if !found {
        crate::support::skip_for_missing_peer(test, "sipp (apt-get install sip-tester)");
    }
    found
}

/// A granted lab (the pools are UM IP gateways 1:1, 1:2, 1:3 with hunt groups for LOC801;
/// 1:3, the branch appliance, has MWI off), LOC801 Unsecured (SIPp has no TLS), and the
/// gateways of pool01 and pool02 on the given ports.
fn lab_with_gateway_ports(pool01: u16, pool02: u16) -> TempLab {
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    lab.apply(&format!(
        "dn: {LOC801}\nchangetype: modify\nreplace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 0\n-\n\n\
         dn: CN=1:1,{GATEWAYS}\nchangetype: modify\nreplace: msExchUMIPGatewayPort\nmsExchUMIPGatewayPort: {pool01}\n-\n\n\
         dn: CN=1:2,{GATEWAYS}\nchangetype: modify\nreplace: msExchUMIPGatewayPort\nmsExchUMIPGatewayPort: {pool02}\n-\n"
    ))
    .ok();
    lab
}

/// The NOTIFY lines the service logged (`log`), each in a compact text form for assertions:
/// `TRANSPORT PEER NOTIFY STATUS|- OUTCOME (DETAIL)`; all are the client side.
fn notify_lines(log: &Capture) -> Vec<String> {
    log.lines()
        .iter()
        .filter(|l| l["method"] == "NOTIFY")
        .inspect(|l| assert_eq!(l["role"], "client", "{l}"))
        .map(|l| {
            let status = l["status"].as_u64().map_or("-".into(), |s| s.to_string());
            format!(
                "{} {} NOTIFY {status} {} ({})",
                l["transport"].as_str().unwrap_or("?"),
                l["peer"].as_str().unwrap_or("?"),
                l["outcome"].as_str().unwrap_or("?"),
                l["detail"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// What `umctl serve` hands `Delivery::start` for EX-MBX02 of `lab`, with `smtp`.
fn exchange_and_config(lab: &TempLab, smtp: Option<SmtpConfig>) -> (Arc<Exchange>, DeliveryConfig) {
    let dir = LabDirectory::open(lab.path()).unwrap();
    let hosts = dir.hosts().unwrap();
    let mbx02 = ServerPlan {
        name: "EX-MBX02".into(),
        fqdn: "ex-mbx02.contoso.com".into(),
        address: IpAddr::V4(hosts.lookup("ex-mbx02.contoso.com").unwrap()),
        components: Vec::new(),
    };
    let mail = MailOptions::for_lab(lab.path(), smtp);
    let exchange = Arc::new(Exchange::new(
        Arc::new(dir),
        Some(hosts),
        Some(mail.mailboxes.clone()),
        Arc::new(BoundPorts::new()),
    ));
    (exchange, DeliveryConfig::for_server(&mbx02, mail, None))
}

fn smtp_config(port: u16) -> SmtpConfig {
    let mut c = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    c.backoff = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_millis(500),
    };
    c
}

fn voice_message(audio: Vec<u8>) -> umctl::mail::VoiceMessage {
    umctl::mail::VoiceMessage {
        from_number: "+962 6 551 9000".into(),
        from_name: Some("Alice Adams".into()),
        from_address: None,
        to_user: MailAddress::new("Bob Haddad", "bob@contoso.com"),
        duration: Duration::from_secs(2),
        call_id: "call-7@pool01.contoso.com".into(),
        received_at: SystemTime::now(),
        audio,
        interrupted: false,
    }
}

/// The next event matching `pick`, or a panic after [`WAIT`].
async fn next<T>(
    events: &mut broadcast::Receiver<DeliveryEvent>,
    mut pick: impl FnMut(&DeliveryEvent) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) => {
                if let Some(t) = pick(&e) {
                    return t;
                }
            }
            other => panic!("no matching delivery event within {WAIT:?}: {other:?}"),
        }
    }
}

fn delivered(e: &DeliveryEvent) -> Option<()> {
    matches!(e, DeliveryEvent::Smtp(SpoolEvent::Delivered { .. })).then_some(())
}

fn mwi(e: &DeliveryEvent) -> Option<MwiAttempt> {
    match e {
        DeliveryEvent::Mwi(a) => Some(a.clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_delivery_arrives_and_mwi_follows_the_250() {
    if !aiosmtpd_available("smtp_delivery_arrives_and_mwi_follows_the_250") {
        return;
    }
    let lab = lab_with_gateway_ports(free_port(), free_port());
    let port = free_port();
    let server = SmtpServer::start(port, &lab.path().join("smtp-mbox"), None);
    let log = Capture::new();
    let (exchange, config) = exchange_and_config(&lab, Some(smtp_config(port)));
    let delivery = Delivery::start(exchange, config)
        .instrument(log.span())
        .await
        .unwrap();
    let mut events = delivery.subscribe();

    let audio = recording();
    let receipt = delivery
        .deliver_voice_message(&voice_message(audio.clone()))
        .unwrap();
    let DeliveryReceipt::Spooled { path, .. } = receipt else {
        panic!("expected Spooled, got {receipt:?}");
    };
    assert!(path.starts_with(lab.path().join("spool")), "{path:?}");
    next(&mut events, delivered).await;
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(header(&messages[0], "X-RcptTo").unwrap(), "bob@contoso.com");
    assert_eq!(
        header(&messages[0], "X-MailFrom").unwrap(),
        "um@ex-mbx02.contoso.com"
    );
    assert_eq!(attachment(&messages[0]), audio);

    // After the 250: a NOTIFY attempt for Bob (uncounted: the mailbox is on the SMTP side).
    let attempt = next(&mut events, mwi).await;
    assert_eq!(attempt.account, "sip:bob@contoso.com");
    assert_eq!(attempt.summary.voice, None);
    assert!(attempt.summary.waiting);
    delivery.shutdown(Duration::from_secs(5)).await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_smtp_down_the_message_waits_in_the_spool_across_a_restart() {
    if !aiosmtpd_available("with_smtp_down_the_message_waits_in_the_spool_across_a_restart") {
        return;
    }
    let lab = lab_with_gateway_ports(free_port(), free_port());
    let port = free_port();
    let mbox = lab.path().join("smtp-mbox");
    let log = Capture::new();

    // First life: nothing listens on the SMTP port.
    let (exchange, config) = exchange_and_config(&lab, Some(smtp_config(port)));
    let delivery = Delivery::start(exchange, config)
        .instrument(log.span())
        .await
        .unwrap();
    let mut events = delivery.subscribe();
    let audio = recording();
    let DeliveryReceipt::Spooled { path, .. } = delivery
        .deliver_voice_message(&voice_message(audio.clone()))
        .unwrap()
    else {
        panic!("expected Spooled");
    };
    next(&mut events, |e| {
        matches!(e, DeliveryEvent::Smtp(SpoolEvent::Deferred { .. })).then_some(())
    })
    .await;
    assert!(path.is_file(), "message left the spool while SMTP was down");
    // serve exits.
    drop(events);
    drop(delivery);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(path.is_file(), "message lost when the service stopped");

    // Second life: the server is up; the new service finds the message at start.
    let server = SmtpServer::start(port, &mbox, None);
    let (exchange, config) = exchange_and_config(&lab, Some(smtp_config(port)));
    let delivery = Delivery::start(exchange, config)
        .instrument(log.span())
        .await
        .unwrap();
    let mut events = delivery.subscribe();
    // The worker may have sent it before we subscribed: poll the server too.
    let deadline = Instant::now() + WAIT;
    while server.messages().is_empty() {
        assert!(Instant::now() < deadline, "spooled message never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(attachment(&messages[0]), audio);
    let deadline = Instant::now() + WAIT;
    while path.exists() {
        assert!(Instant::now() < deadline, "delivered message still spooled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The message from the earlier life still lights the lamp.
    let attempt = next(&mut events, mwi).await;
    assert_eq!(attempt.account, "sip:bob@contoso.com");
    delivery.shutdown(Duration::from_secs(5)).await;
}

/// A SIPp UAS on `ip:port` over TCP running `scenario`, tracing messages to a file.
struct SippUas {
    child: Child,
    messages: PathBuf,
    _dir: tempfile::TempDir,
}

impl SippUas {
    fn start(scenario: &str, ip: &str, port: u16) -> SippUas {
        let dir = tempfile::tempdir().unwrap();
        let messages = dir.path().join("messages.log");
        let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/sipp")
            .join(scenario);
        let child = Command::new("sipp")
            .arg("-sf")
            .arg(&scenario)
            .args(["-t", "t1", "-i", ip, "-p", &port.to_string()])
            .args(["-m", "1", "-timeout", "60s", "-nostdin", "-trace_msg"])
            .arg("-message_file")
            .arg(&messages)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let addr = SocketAddr::new(ip.parse().unwrap(), port);
        let deadline = Instant::now() + Duration::from_secs(10);
        // Wait until SIPp listens (a probe connection it sees close is harmless).
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "sipp did not listen on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
        SippUas {
            child,
            messages,
            _dir: dir,
        }
    }

    /// Waits for SIPp to finish its one call; returns (exit code, traced messages).
    async fn finish(mut self) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let trace = fs::read_to_string(&self.messages).unwrap_or_default();
                return (status.code().unwrap_or(-1), trace);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let trace = fs::read_to_string(&self.messages).unwrap_or_default();
                panic!("sipp did not finish: {trace}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SippUas {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free TCP port on `ip`.
fn free_port_on(ip: &str) -> u16 {
    TcpListener::bind((ip.parse::<IpAddr>().unwrap(), 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The received NOTIFYs in a SIPp message trace.
fn notifies(trace: &str) -> Vec<String> {
    trace
        .split("NOTIFY sip:")
        .skip(1)
        .map(|m| format!("NOTIFY sip:{}", m.split("\n\n---").next().unwrap_or(m)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_delivery_sends_mwi_with_the_counts_to_every_mwi_gateway_of_the_dial_plan() {
    if !sipp_available(
        "maildir_delivery_sends_mwi_with_the_counts_to_every_mwi_gateway_of_the_dial_plan",
    ) {
        return;
    }
    let (p1, p2) = (free_port_on(POOL01), free_port_on(POOL02));
    let lab = lab_with_gateway_ports(p1, p2);
    // Bob has read two messages already.
    let bob = lab.path().join("mailboxes/bob/Maildir");
    fs::create_dir_all(bob.join("cur")).unwrap();
    fs::write(bob.join("cur/1.old:2,S"), b"Subject: old\r\n\r\nx\r\n").unwrap();
    fs::write(bob.join("cur/2.old:2,S"), b"Subject: old\r\n\r\nx\r\n").unwrap();
    let uas1 = SippUas::start("uas_notify.xml", POOL01, p1);
    let uas2 = SippUas::start("uas_notify.xml", POOL02, p2);

    let log = Capture::new();
    let (exchange, config) = exchange_and_config(&lab, None);
    let delivery = Delivery::start(exchange, config)
        .instrument(log.span())
        .await
        .unwrap();
    let mut events = delivery.subscribe();

    // A missed call goes to the mailbox but lights nothing.
    let missed = MissedCall {
        from_number: "+962 6 551 9000".into(),
        from_name: None,
        from_address: None,
        to_user: MailAddress::new("Bob Haddad", "bob@contoso.com"),
        call_id: "call-6@pool01.contoso.com".into(),
        received_at: SystemTime::now(),
    };
    delivery.deliver_missed_call(&missed).unwrap();
    assert_eq!(fs::read_dir(bob.join("new")).unwrap().count(), 1);

    let audio = recording();
    let receipt = delivery
        .deliver_voice_message(&voice_message(audio.clone()))
        .unwrap();
    let DeliveryReceipt::Delivered { paths } = receipt else {
        panic!("expected Delivered, got {receipt:?}");
    };
    assert_eq!(paths.len(), 1);
    assert!(paths[0].starts_with(bob.join("new")), "{paths:?}");
    assert_eq!(attachment(&fs::read_to_string(&paths[0]).unwrap()), audio);

    // Both MWI gateways of LOC801 answer 200; the branch appliance (MWI off) gets nothing.
    let mut answered = Vec::new();
    while answered.len() < 2 {
        let a = next(&mut events, mwi).await;
        assert_ne!(a.gateway, "1:3", "MWI sent to a gateway with MWI off");
        assert_eq!(a.status, Some(200), "{a:?}");
        answered.push(a.gateway);
    }
    answered.sort();
    assert_eq!(answered, ["1:1", "1:2"]);

    for (uas, ip) in [(uas1, POOL01), (uas2, POOL02)] {
        let (code, trace) = uas.finish().await;
        assert_eq!(code, 0, "sipp on {ip} failed: {trace}");
        let got = notifies(&trace);
        assert_eq!(got.len(), 1, "{trace}");
        let n = &got[0];
        // Two new (the missed call and the voice message are both in new/), two old.
        for line in [
            "NOTIFY sip:bob@contoso.com SIP/2.0",
            "Event: message-summary",
            "Subscription-State: terminated",
            "Content-Type: application/simple-message-summary",
            "From: <sip:um@ex-mbx02.contoso.com>",
            "Messages-Waiting: yes",
            "Message-Account: sip:bob@contoso.com",
            "Voice-Message: 2/2 (0/0)",
        ] {
            assert!(n.contains(line), "{line:?} missing from {n}");
        }
        assert!(n.contains("Via: SIP/2.0/TCP 127.0.20.12:"), "{n}");
    }
    let lines = notify_lines(&log);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.starts_with("TCP 127.0.10.")
            && l.contains(" NOTIFY 200 completed ")
            && l.contains("MWI sip:bob@contoso.com via gateway 1:")
            && l.contains("attempt 1, new/old 2/2")),
        "{lines:?}"
    );
    delivery.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mwi_comes_from_the_users_own_mailbox_server() {
    if !sipp_available("mwi_comes_from_the_users_own_mailbox_server") {
        return;
    }
    let (p1, p2) = (free_port_on(POOL01), free_port_on(POOL02));
    let lab = lab_with_gateway_ports(p1, p2);
    let log = Capture::new();
    let (exchange, mut config) = exchange_and_config(&lab, None);
    // Delivery runs on EX-MBX02; EX-MBX01 is the other mailbox server of this serve.
    let mbx01 = ServerPlan {
        name: "EX-MBX01".into(),
        fqdn: "ex-mbx01.contoso.com".into(),
        address: "127.0.20.11".parse().unwrap(),
        components: Vec::new(),
    };
    config.other_mwi.push(MwiConfig::for_server(&mbx01, None));
    let delivery = Delivery::start(exchange, config)
        .instrument(log.span())
        .await
        .unwrap();
    let mut events = delivery.subscribe();

    for (user, address, from, via) in [
        (
            "Contoso Sales",
            "sales@contoso.com",
            "From: <sip:um@ex-mbx01.contoso.com>",
            "Via: SIP/2.0/TCP 127.0.20.11:",
        ),
        (
            "Bob Haddad",
            "bob@contoso.com",
            "From: <sip:um@ex-mbx02.contoso.com>",
            "Via: SIP/2.0/TCP 127.0.20.12:",
        ),
    ] {
        let uas1 = SippUas::start("uas_notify.xml", POOL01, p1);
        let uas2 = SippUas::start("uas_notify.xml", POOL02, p2);
        let mut msg = voice_message(recording());
        msg.to_user = MailAddress::new(user, address);
        delivery.deliver_voice_message(&msg).unwrap();
        for _ in 0..2 {
            let a = next(&mut events, mwi).await;
            assert_eq!(a.status, Some(200), "{a:?}");
        }
        for (uas, ip) in [(uas1, POOL01), (uas2, POOL02)] {
            let (code, trace) = uas.finish().await;
            assert_eq!(code, 0, "sipp on {ip} failed: {trace}");
            let got = notifies(&trace);
            assert_eq!(got.len(), 1, "{trace}");
            let account = format!("Message-Account: sip:{address}");
            for line in [from, via, account.as_str()] {
                assert!(
                    got[0].contains(line),
                    "{user}: {line:?} missing from {}",
                    got[0]
                );
            }
        }
    }
    delivery.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_notify_is_retried_until_the_gateway_answers() {
    if !sipp_available("an_unanswered_notify_is_retried_until_the_gateway_answers") {
        return;
    }
    let (p1, p2) = (free_port_on(POOL01), free_port_on(POOL02));
    let lab = lab_with_gateway_ports(p1, p2);
    let late = SippUas::start("uas_notify_late.xml", POOL01, p1);
    let on_time = SippUas::start("uas_notify.xml", POOL02, p2);

    let log = Capture::new();
    let (exchange, mut config) = exchange_and_config(&lab, None);
    // Short timers so the unanswered NOTIFY fails in 64*T1 = 3.2 s, and a quick retry.
    config.mwi.timers.t1 = Duration::from_millis(50);
    config.mwi.schedule.initial = Duration::from_millis(200);
    let delivery = Delivery::start(exchange, config)
        .instrument(log.span())
        .await
        .unwrap();
    let mut events = delivery.subscribe();
    delivery
        .deliver_voice_message(&voice_message(recording()))
        .unwrap();

    let first = next(&mut events, |e| mwi(e).filter(|a| a.gateway == "1:1")).await;
    assert_eq!((first.attempt, first.status), (1, None), "{first:?}");
    assert_eq!(first.retry_in, Some(Duration::from_millis(200)));
    let second = next(&mut events, |e| mwi(e).filter(|a| a.gateway == "1:1")).await;
    assert_eq!(
        (second.attempt, second.status),
        (2, Some(200)),
        "{second:?}"
    );
    assert_eq!(second.retry_in, None);

    let (code, trace) = late.finish().await;
    assert_eq!(code, 0, "{trace}");
    let got = notifies(&trace);
    assert_eq!(got.len(), 2, "{trace}");
    assert!(got[0].contains("CSeq: 1 NOTIFY") && got[1].contains("CSeq: 2 NOTIFY"));
    let call_id = |n: &str| {
        n.lines()
            .find(|l| l.starts_with("Call-ID:"))
            .unwrap()
            .to_string()
    };
    assert_eq!(
        call_id(&got[0]),
        call_id(&got[1]),
        "a retry keeps the Call-ID"
    );
    assert!(got[1].contains("Voice-Message: 1/0 (0/0)"), "{}", got[1]);
    let (code, trace) = on_time.finish().await;
    assert_eq!(code, 0, "{trace}");

    // One log line per attempt: the timeout (with the retry) and the 200.
    let lines = notify_lines(&log);
    let pool01: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains(&format!("{POOL01}:{p1}")))
        .collect();
    assert_eq!(pool01.len(), 2, "{lines:?}");
    assert!(
        pool01[0].contains("NOTIFY - failed")
            && pool01[0].contains("attempt 1")
            && pool01[0].contains("retry in 200ms"),
        "{}",
        pool01[0]
    );
    assert!(
        pool01[1].contains("NOTIFY 200 completed") && pool01[1].contains("attempt 2"),
        "{}",
        pool01[1]
    );
    delivery.shutdown(Duration::from_secs(5)).await;
}

#[test]
fn serve_rejects_a_bad_smtp_url_naming_it() {
    let lab = TempLab::new();
    let run = lab
        .run(&["serve", "--smtp", "ftp://mail.contoso.com"])
        .expect_code(2);
    assert!(
        run.stderr.contains("\"ftp://mail.contoso.com\"")
            && run.stderr.contains("expected smtp://host[:port]"),
        "{}",
        run.stderr
    );
    let run = lab
        .run(&["serve", "--smtp", "smtp://mail.contoso.com:0"])
        .expect_code(2);
    assert!(run.stderr.contains("port \"0\""), "{}", run.stderr);
    let run = lab.run(&["serve", "--smtp-ca", "ca.pem"]).expect_code(2);
    assert!(run.stderr.contains("--smtp"), "{}", run.stderr);
    let missing = lab.path().join("no-such-ca.pem");
    let run = lab
        .run(&[
            "serve",
            "--smtp",
            "smtp://127.0.0.1:2525",
            "--smtp-ca",
            missing.to_str().unwrap(),
        ])
        .expect_code(2);
    assert!(run.stderr.contains("no-such-ca.pem"), "{}", run.stderr);
    let junk = lab.write("junk-ca.pem", b"not a certificate");
    let run = lab
        .run(&[
            "serve",
            "--smtp",
            "smtp://127.0.0.1:2525",
            "--smtp-ca",
            junk.to_str().unwrap(),
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("127.0.0.1:2525") && run.stderr.contains("TLS"),
        "{}",
        run.stderr
    );
}

#[test]
fn serve_with_smtp_sends_what_an_earlier_run_left_in_the_spool_then_mwi() {
    let test = "serve_with_smtp_sends_what_an_earlier_run_left_in_the_spool_then_mwi";
    if !aiosmtpd_available(test) || !sipp_available(test) {
        return;
    }
    let (p1, p2) = (free_port_on(POOL01), free_port_on(POOL02));
    let lab = lab_with_gateway_ports(p1, p2);
    // An earlier serve spooled a voice message and stopped before the server took it.
    let audio = recording();
    let spool = umctl::mail::Spool::open(lab.path().join("spool")).unwrap();
    let id = spool
        .enqueue(
            &voice_message(audio.clone())
                .render("um@ex-mbx01.contoso.com")
                .unwrap(),
        )
        .unwrap();
    let spooled = spool.path(&id);
    let uas1 = SippUas::start("uas_notify.xml", POOL01, p1);
    let uas2 = SippUas::start("uas_notify.xml", POOL02, p2);
    let port = free_port();
    let server = SmtpServer::start(port, &lab.path().join("smtp-mbox"), None);

    let url = format!("smtp://127.0.0.1:{port}");
    let mut serve =
        crate::support::ServeHarness::start(&lab, &["--smtp", &url, "--startup-mode", "tcp"]);
    let deadline = Instant::now() + WAIT;
    while server.messages().is_empty() {
        assert!(
            Instant::now() < deadline,
            "spooled message never arrived; serve said:\n{}",
            serve.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(attachment(&server.messages()[0]), audio);
    let notified = serve.wait_for_log(WAIT, |lines| {
        lines
            .iter()
            .filter(|l| l["method"] == "NOTIFY" && l["status"] == 200)
            .count()
            == 2
    });
    assert!(
        notified,
        "no NOTIFY 200 in serve's log:\n{}",
        serve.stderr()
    );
    let line = serve
        .log()
        .into_iter()
        .find(|l| l["method"] == "NOTIFY")
        .unwrap();
    // Delivery runs on the first mailbox server (EX-MBX01); the NOTIFY comes from Bob's own.
    assert_eq!(line["server"], "EX-MBX02", "{line}");
    assert_eq!(line["component"], "worker", "{line}");
    assert!(
        line["detail"]
            .as_str()
            .unwrap()
            .starts_with("MWI sip:bob@contoso.com via gateway 1:"),
        "{line}"
    );
    assert!(!spooled.exists(), "delivered message still in the spool");
    // The SMTP outcome is one log line too.
    let smtp_logged = serve.wait_for_log(WAIT, |lines| {
        lines.iter().any(|l| {
            l["server"] == "EX-MBX01"
                && l["component"] == "delivery"
                && l["smtp"] == "delivered"
                && l["id"] == id.as_str()
        })
    });
    assert!(
        smtp_logged,
        "no SMTP line in serve's log:\n{}",
        serve.stderr()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for uas in [uas1, uas2] {
        let (code, trace) = rt.block_on(uas.finish());
        assert_eq!(code, 0, "{trace}");
        // Over SMTP the mailbox is elsewhere: no counts, just "yes".
        let n = &notifies(&trace)[0];
        assert!(n.contains("Messages-Waiting: yes"), "{n}");
        assert!(!n.contains("Voice-Message:"), "{n}");
    }
    let status = serve
        .terminate(Duration::from_secs(10))
        .expect("serve exits");
    assert!(status.success(), "{status:?}");
}

/// A gateway speaking TLS only (umctl's own endpoint with a lab-CA certificate for pool01):
/// answers NOTIFY 200 and keeps what it got.
#[derive(Default)]
struct NotifySink(std::sync::Mutex<Vec<(String, umctl::sip::transport::TransportKind)>>);

impl umctl::sip::endpoint::CallHandler for NotifySink {
    fn handle_request(
        &self,
        request: &rsip::Request,
        ctx: &umctl::sip::endpoint::RequestContext,
    ) -> umctl::sip::endpoint::HandlerResponse {
        self.0
            .lock()
            .unwrap()
            .push((request.to_string(), ctx.transport));
        umctl::sip::endpoint::HandlerResponse::respond(umctl::sip::message::response_to(
            request,
            200,
            "OK",
            Some(&ctx.to_tag),
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secured_dial_plan_gets_its_mwi_over_tls() {
    use umctl::sip::endpoint::{Endpoint, EndpointConfig, TlsListen};
    use umctl::sip::transport::certs::LabCa;
    use umctl::sip::transport::tls::{client_config, server_config, TlsSettings};
    use umctl::sip::transport::TransportKind;

    // LOC801 stays Secured (the lab's default): MWI must go over TLS.
    let (p1, p2) = (free_port_on(POOL01), free_port_on(POOL02));
    let lab = TempLab::new();
    lab.run(&["grant-permissions", "--yes"]).ok();
    lab.apply(&format!(
        "dn: CN=1:1,{GATEWAYS}\nchangetype: modify\nreplace: msExchUMIPGatewayPort\nmsExchUMIPGatewayPort: {p1}\n-\n\n\
         dn: CN=1:2,{GATEWAYS}\nchangetype: modify\nreplace: msExchUMIPGatewayPort\nmsExchUMIPGatewayPort: {p2}\n-\n"
    ))
    .ok();
    let ca = LabCa::load_or_create(&lab.path().join("ca")).unwrap();
    let tls_for = |fqdn: &str, ip: &str| {
        let issued = ca.issue(fqdn, &[ip.parse().unwrap()]).unwrap();
        server_config(&TlsSettings {
            cert_chain_pem: issued.chain_pem,
            key_pem: issued.key_pem,
            ..TlsSettings::default()
        })
        .unwrap()
    };
    let sink = Arc::new(NotifySink::default());
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let gateway = Endpoint::start(
        EndpointConfig {
            bind: None,
            tls: Some(TlsListen {
                bind: SocketAddr::new(POOL01.parse().unwrap(), p1),
                server: tls_for("pool01.contoso.com", POOL01),
                client: None,
            }),
            ..EndpointConfig::default()
        },
        sink.clone(),
        stopped,
    )
    .await
    .unwrap();

    let log = Capture::new();
    let (exchange, mut config) = exchange_and_config(&lab, None);
    config.mwi.tls = Some((
        tls_for("ex-mbx02.contoso.com", "127.0.20.12"),
        client_config(ca.cert_pem(), None).unwrap(),
    ));
    let delivery = Delivery::start(exchange, config)
        .instrument(log.span())
        .await
        .unwrap();
    let mut events = delivery.subscribe();
    delivery
        .deliver_voice_message(&voice_message(recording()))
        .unwrap();
    let a = next(&mut events, |e| mwi(e).filter(|a| a.gateway == "1:1")).await;
    assert_eq!(a.status, Some(200), "{a:?}");
    assert_eq!(a.to, Some(SocketAddr::new(POOL01.parse().unwrap(), p1)));
    let got = sink.0.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, TransportKind::Tls);
    assert!(
        got[0].0.contains("Via: SIP/2.0/TLS 127.0.20.12:"),
        "{}",
        got[0].0
    );
    assert!(
        got[0].0.contains("Voice-Message: 1/0 (0/0)"),
        "{}",
        got[0].0
    );
    let lines = notify_lines(&log);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("TLS {POOL01}:{p1} NOTIFY 200 completed"))),
        "{lines:?}"
    );
    delivery.shutdown(Duration::from_secs(5)).await;
    drop(gateway);
}
