//! SMTP delivery against a real SMTP server on loopback: Debian's python3-aiosmtpd, started by
//! each test on a free 127.0.0.1 port with the `Picky` handler of `smtp_handlers.py` (a
//! Maildir that refuses some recipients), and stopped by its own PID when the test ends.
//! Shows: the voice message arrives with the WAV intact; STARTTLS is used when offered;
//! with the server down the message waits in the spool and arrives once the server starts,
//! also across a restart of the worker; a 550 sends the message to `failed/`, a 451 keeps it.
//! Skipped loudly without aiosmtpd, except in CI (env CI set), where that is a failure.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use umctl::mail::{
    Backoff, DeliveryReceipt, MailAddress, Mailer, MissedCall, OutgoingMessage, SmtpConfig,
    SmtpMailer, SpoolEvent, SpoolWorker, TlsMode, VoiceMessage,
};

const PYTHON: &str = "/usr/bin/python3";
const WAIT: Duration = Duration::from_secs(15);

pub(crate) fn aiosmtpd_available(test: &str) -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        crate::support::skip_for_missing_peer(
            test,
            &format!("aiosmtpd for {PYTHON} (apt-get install python3-aiosmtpd)"),
        );
    }
    ok
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running aiosmtpd; killed (by PID) and reaped on drop.
pub(crate) struct SmtpServer {
    child: Child,
    maildir: PathBuf,
}

impl SmtpServer {
    /// Start on `port`, storing mail in `maildir`; `tls` = (cert, key) PEM files turns on
    /// STARTTLS, which aiosmtpd then requires. Returns once the port accepts connections.
    pub(crate) fn start(port: u16, maildir: &Path, tls: Option<(&Path, &Path)>) -> SmtpServer {
        let handlers = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
        let log = maildir.with_extension("log");
        let mut cmd = Command::new(PYTHON);
        cmd.args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "smtp_handlers.Picky"]);
        if let Some((cert, key)) = tls {
            cmd.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
        }
        cmd.arg(maildir)
            .env("PYTHONPATH", &handlers)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap());
        let mut child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "aiosmtpd exited ({status}): {}",
                    fs::read_to_string(&log).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer {
            child,
            maildir: maildir.to_path_buf(),
        }
    }

    /// Every message the server stored.
    pub(crate) fn messages(&self) -> Vec<String> {
        stored(&self.maildir)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stored(maildir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = fs::read_dir(maildir.join(sub)) {
            for e in entries {
                out.push(fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
    }
    out
}

/// A spool worker running on the test's runtime, with its events and its stop switch.
struct Worker {
    mailer: SmtpMailer,
    events: mpsc::UnboundedReceiver<SpoolEvent>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    fn start(config: &SmtpConfig, spool: &Path) -> Worker {
        let (mailer, worker) = SpoolWorker::new(config, spool).unwrap();
        let (tx, events) = mpsc::unbounded_channel();
        let (stop, stopped) = watch::channel(false);
        let task = worker.with_events(tx).spawn(stopped);
        Worker {
            mailer,
            events,
            stop,
            task,
        }
    }

    /// The next event, or a panic after [`WAIT`].
    async fn next(&mut self) -> SpoolEvent {
        match tokio::time::timeout(WAIT, self.events.recv()).await {
            Ok(Some(e)) => e,
            other => panic!("no spool event within {WAIT:?}: {other:?}"),
        }
    }

    /// Skip deferrals until the message is delivered or failed.
    async fn outcome(&mut self) -> SpoolEvent {
        loop {
            match self.next().await {
                SpoolEvent::Deferred { .. } => continue,
                e => return e,
            }
        }
    }

    async fn shut_down(self) {
        self.stop.send(true).unwrap();
        tokio::time::timeout(WAIT, self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

fn config(port: u16) -> SmtpConfig {
    let mut c = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
    c.backoff = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_millis(500),
    };
    c.timeout = Duration::from_secs(10);
    c
}

pub(crate) fn recording() -> Vec<u8> {
    // Two seconds of a 440 Hz tone, then a byte pattern that base64 must carry exactly.
    let mut samples: Vec<i16> = (0..16_000)
        .map(|i| ((i as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    samples.extend((0..512).map(|i| (i * 257) as i16));
    umctl::media::wav::encode_pcm16(&samples)
}

fn voice_message(to: &str, audio: Vec<u8>) -> OutgoingMessage {
    VoiceMessage {
        from_number: "+962 6 551 9000".into(),
        from_name: Some("Alice Adams".into()),
        from_address: None,
        to_user: MailAddress::new("Bob Brown", to),
        duration: Duration::from_secs(2),
        call_id: "call-42@gw.contoso.lab".into(),
        received_at: SystemTime::now(),
        audio,
        interrupted: false,
    }
    .render("um@contoso.lab")
    .unwrap()
}

pub(crate) fn header(msg: &str, name: &str) -> Option<String> {
    let msg = msg.replace("\r\n", "\n");
    let head = msg.split("\n\n").next().unwrap().replace("\n ", " ");
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// The decoded `voicemail.wav` part of a stored message.
pub(crate) fn attachment(msg: &str) -> Vec<u8> {
    let msg = msg.replace("\r\n", "\n");
    let at = msg
        .find("filename=\"voicemail.wav\"")
        .expect("no voicemail.wav part");
    let body = msg[at..].split_once("\n\n").unwrap().1;
    let body = &body[..body.find("\n--").unwrap()];
    let b64: String = body.lines().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn spooled_path(receipt: DeliveryReceipt) -> PathBuf {
    match receipt {
        DeliveryReceipt::Spooled { path, .. } => path,
        other => panic!("expected Spooled, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voice_message_and_missed_call_arrive_with_the_wav_intact() {
    if !aiosmtpd_available("voice_message_and_missed_call_arrive_with_the_wav_intact") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start(port, &dir.path().join("mbox"), None);
    let mut w = Worker::start(&config(port), &dir.path().join("spool"));

    let audio = recording();
    let path = spooled_path(
        w.mailer
            .deliver(voice_message("bob@contoso.lab", audio.clone()))
            .unwrap(),
    );
    assert!(matches!(w.outcome().await, SpoolEvent::Delivered { .. }));
    assert!(!path.exists(), "delivered message still in the spool");

    let missed = MissedCall {
        from_number: "+962 6 551 9000".into(),
        from_name: None,
        from_address: None,
        to_user: MailAddress::new("Bob Brown", "bob@contoso.lab"),
        call_id: "call-43@gw.contoso.lab".into(),
        received_at: SystemTime::now(),
    }
    .render("um@contoso.lab")
    .unwrap();
    w.mailer.deliver(missed).unwrap();
    assert!(matches!(w.outcome().await, SpoolEvent::Delivered { .. }));

    let messages = server.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    let vm = messages
        .iter()
        .find(|m| header(m, "Content-Class").as_deref() == Some("voice-ca"))
        .expect("no voice-ca message");
    assert_eq!(
        header(vm, "Subject").unwrap(),
        "Voice Mail from Alice Adams (2 seconds)"
    );
    assert_eq!(
        header(vm, "X-Umctl-Message-Class").unwrap(),
        "IPM.Note.Microsoft.Voicemail.UM.CA"
    );
    assert_eq!(
        header(vm, "X-Umctl-Call-Id").unwrap(),
        "call-42@gw.contoso.lab"
    );
    // aiosmtpd records the envelope it received.
    assert_eq!(header(vm, "X-MailFrom").unwrap(), "um@contoso.lab");
    assert_eq!(header(vm, "X-RcptTo").unwrap(), "bob@contoso.lab");
    assert_eq!(attachment(vm), audio, "WAV changed in transit");

    let mc = messages
        .iter()
        .find(|m| header(m, "Content-Class").as_deref() == Some("missedcall"))
        .expect("no missedcall message");
    assert_eq!(
        header(mc, "Subject").unwrap(),
        "Missed call from +962 6 551 9000"
    );
    assert_eq!(
        header(mc, "X-Umctl-Message-Class").unwrap(),
        "IPM.Note.Microsoft.Missed.Voice"
    );
    w.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_is_used_when_the_server_offers_it() {
    if !aiosmtpd_available("starttls_is_used_when_the_server_offers_it") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let (cert_pem, key_pem) = (key.cert.pem(), key.signing_key.serialize_pem());
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    fs::write(&cert_file, &cert_pem).unwrap();
    fs::write(&key_file, &key_pem).unwrap();
    let port = free_port();
    // With a certificate, aiosmtpd refuses MAIL FROM until STARTTLS (530).
    let server = SmtpServer::start(
        port,
        &dir.path().join("mbox"),
        Some((&cert_file, &key_file)),
    );

    // Plain SMTP is refused: proof the server really insists on TLS.
    let mut plain = config(port);
    plain.tls = TlsMode::Plain;
    let mut w = Worker::start(&plain, &dir.path().join("spool-plain"));
    w.mailer
        .deliver(voice_message("bob@contoso.lab", recording()))
        .unwrap();
    match w.outcome().await {
        SpoolEvent::Failed { reason, .. } => assert!(reason.contains("530"), "{reason}"),
        other => panic!("expected Failed, got {other:?}"),
    }
    w.shut_down().await;

    // Opportunistic STARTTLS (the default) trusting the test certificate gets through.
    let mut tls = config(port);
    tls.extra_roots_pem = vec![cert_pem.into_bytes()];
    let mut w = Worker::start(&tls, &dir.path().join("spool-tls"));
    let audio = recording();
    w.mailer
        .deliver(voice_message("bob@contoso.lab", audio.clone()))
        .unwrap();
    match w.outcome().await {
        SpoolEvent::Delivered { .. } => {}
        other => panic!("expected Delivered, got {other:?}"),
    }
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(attachment(&messages[0]), audio);
    w.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_down_the_message_waits_then_arrives() {
    if !aiosmtpd_available("with_the_server_down_the_message_waits_then_arrives") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mbox = dir.path().join("mbox");
    let mut w = Worker::start(&config(port), &dir.path().join("spool"));
    let audio = recording();
    let path = spooled_path(
        w.mailer
            .deliver(voice_message("bob@contoso.lab", audio.clone()))
            .unwrap(),
    );
    // Two failed attempts: connection refused is temporary, the message stays.
    for n in 1..=2 {
        match w.next().await {
            SpoolEvent::Deferred { failures, .. } => assert_eq!(failures, n),
            other => panic!("expected Deferred, got {other:?}"),
        }
    }
    assert!(
        path.is_file(),
        "message left the spool while the server was down"
    );
    assert!(stored(&mbox).is_empty());

    let server = SmtpServer::start(port, &mbox, None);
    match w.outcome().await {
        SpoolEvent::Delivered { .. } => {}
        other => panic!("expected Delivered, got {other:?}"),
    }
    assert!(!path.exists());
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(attachment(&messages[0]), audio);
    w.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spool_survives_a_restart() {
    if !aiosmtpd_available("the_spool_survives_a_restart") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let spool = dir.path().join("spool");
    let mbox = dir.path().join("mbox");

    // First life: the server is down; the message is spooled and retried, then serve stops.
    let mut w = Worker::start(&config(port), &spool);
    let audio = recording();
    let path = spooled_path(
        w.mailer
            .deliver(voice_message("bob@contoso.lab", audio.clone()))
            .unwrap(),
    );
    assert!(matches!(w.next().await, SpoolEvent::Deferred { .. }));
    w.shut_down().await;
    assert!(path.is_file(), "message lost when the worker stopped");

    // Second life: the server is up; a fresh worker on the same spool finds and sends it
    // without anything new being enqueued.
    let server = SmtpServer::start(port, &mbox, None);
    let mut w = Worker::start(&config(port), &spool);
    match w.outcome().await {
        SpoolEvent::Delivered { .. } => {}
        other => panic!("expected Delivered, got {other:?}"),
    }
    assert!(!path.exists());
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(attachment(&messages[0]), audio);
    assert!(w.mailer.spool().pending().unwrap().is_empty());
    w.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_550_goes_to_failed_and_a_451_stays_in_the_spool() {
    if !aiosmtpd_available("a_550_goes_to_failed_and_a_451_stays_in_the_spool") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start(port, &dir.path().join("mbox"), None);
    let mut w = Worker::start(&config(port), &dir.path().join("spool"));

    let path = spooled_path(
        w.mailer
            .deliver(voice_message("reject-me@contoso.lab", recording()))
            .unwrap(),
    );
    let id = match w.outcome().await {
        SpoolEvent::Failed { id, reason } => {
            assert!(reason.contains("550"), "{reason}");
            id
        }
        other => panic!("expected Failed, got {other:?}"),
    };
    assert!(!path.exists());
    let failed = w.mailer.spool().failed_dir();
    assert!(failed.join(format!("{id}.msg")).is_file());
    let reason = fs::read_to_string(failed.join(format!("{id}.reason"))).unwrap();
    assert!(
        reason.contains("550") && reason.contains(&format!("127.0.0.1:{port}")),
        "{reason}"
    );

    let path = spooled_path(
        w.mailer
            .deliver(voice_message("defer-me@contoso.lab", recording()))
            .unwrap(),
    );
    for n in 1..=2 {
        match w.next().await {
            SpoolEvent::Deferred {
                failures, reason, ..
            } => {
                assert_eq!(failures, n);
                assert!(reason.contains("451"), "{reason}");
            }
            other => panic!("expected Deferred, got {other:?}"),
        }
    }
    assert!(path.is_file());
    assert!(server.messages().is_empty());
    w.shut_down().await;
}
