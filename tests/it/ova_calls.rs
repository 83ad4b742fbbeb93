//! Outlook Voice Access and the auto attendant end to end (issue #8): SIPp dials LOC801's OVA
//! number (+96265515333) or LOC801-AA's pilot (+96265515444) from pool01 through the call
//! router, the UM service and the worker (`tests/sipp/uac_menu.xml`, a template this file
//! fills in), and presses keys when UM has finished speaking: the offer names a socket of the
//! test as the caller's RTP address, the test sees each prompt end there (or the message
//! marked read) and only then lets SIPp go on (an INFO the scenario waits for), so a loaded
//! machine cannot make the caller press too early and a fast one does not wait for nothing.
//!
//! The keys are pcaps written here by a small pcap writer (Ethernet/IPv4/UDP/RTP), played
//! with `<exec play_pcap_audio>`: RFC 4733 events on payload type 101 (the offer's
//! telephone-event type), or the same digits as in-band DTMF tones in A-law audio (payload
//! type 8). The shipped `/usr/share/sip-tester/dtmf_2833_<d>.pcap` files are not used: they
//! share one SSRC, but each has a fixed RTP timestamp and sequence number that SIPp sends as
//! recorded, so a repeated digit (`9000`) has the timestamp of the event before it and `1`
//! after `9` looks older than the newest event: a receiver that follows RFC 4733 rightly
//! drops them. The pcaps here number one call's events in order.
//!
//! What is checked: a message left by a call-answering call is played after sign-in and moved
//! from `new/` to `cur/`; three wrong PINs get BYE after the goodbye; 15 failures over 5 calls
//! lock the mailbox (`lab pin show --json`) and a 6th call hears "locked" and gets BYE after
//! the extension; the directory search (`*`, 423323 = HADDAD, `#`, `1`) and the auto
//! attendant's key 1 (the shipped `uac_aa_key1.xml`) end in a REFER whose Refer-To carries
//! the extension (SIPp answers 202, then gets BYE); a declined REFER (603) leaves the call up;
//! `2` after the search leaves Bob a message; in-band tones sign in as well; a bad key and a
//! PIN timeout get a spoken error and the menu again without dropping the call;
//! `Ms-Exchange-Command: skip-pin` from the pool signs Bob in without a PIN.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::serve::{sipp_available, Sipp};
use crate::support::{ServeHarness, TempLab};
use crate::voicemail::{lab_with_short_greeting, voicemail_sipp, wait_for_messages};

const OVA: &str = "+96265515333";
const AA: &str = "+96265515444";
pub(crate) const PIN: &str = "246813";
/// The telephone-event payload type of the scenario's offer (`a=rtpmap:101`).
const EVENT_PT: u8 = 101;

/// Writes RTP pcaps for one call: sequence numbers and timestamps continue from one pcap to
/// the next, as one sender's stream would.
struct KeyPad {
    dir: PathBuf,
    seq: u16,
    ts: u32,
    files: usize,
}

impl KeyPad {
    fn new(dir: &Path) -> KeyPad {
        KeyPad {
            dir: dir.to_path_buf(),
            seq: 1000,
            ts: 160_000,
            files: 0,
        }
    }

    /// RFC 4733: per digit, 5 packets 20 ms apart (the first with the marker) and the end
    /// packet three times, all with the event's start timestamp; 200 ms between digits.
    fn rfc4733(&mut self, digits: &str) -> PathBuf {
        let mut packets = Vec::new();
        let mut t_us: u64 = 0;
        for d in digits.chars() {
            let event = match d {
                '0'..='9' => d as u8 - b'0',
                '*' => 10,
                '#' => 11,
                _ => panic!("no DTMF event for {d}"),
            };
            let start = self.ts;
            for i in 0..8u16 {
                let end = i >= 5;
                let duration = 160 * (i.min(5) + 1);
                let payload = [
                    event,
                    if end { 0x80 | 10 } else { 10 },
                    (duration >> 8) as u8,
                    duration as u8,
                ];
                packets.push((t_us, self.rtp(EVENT_PT, i == 0, start, &payload)));
                if i < 5 {
                    t_us += 20_000;
                }
            }
            self.ts = self.ts.wrapping_add(160 * 6 + 1600);
            t_us += 200_000;
        }
        self.write(&packets)
    }

    /// In-band: each digit's two tones for 120 ms, then 120 ms of silence, A-law 20 ms
    /// packets on payload type 8 (audio continues from one digit to the next).
    fn inband(&mut self, digits: &str) -> PathBuf {
        let mut samples: Vec<i16> = vec![0; 800];
        for d in digits.chars() {
            let (lo, hi) = tones(d);
            for n in 0..960 {
                let t = n as f64 / 8000.0;
                let x = 8000.0 * (2.0 * std::f64::consts::PI * lo * t).sin()
                    + 8000.0 * (2.0 * std::f64::consts::PI * hi * t).sin();
                samples.push(x as i16);
            }
            samples.extend(std::iter::repeat_n(0, 960));
        }
        self.audio(&samples)
    }

    /// `ms` of a 440 Hz tone (a caller speaking), A-law on payload type 8.
    fn speech(&mut self, ms: usize) -> PathBuf {
        let samples: Vec<i16> = (0..ms * 8)
            .map(|n| {
                (6000.0 * (2.0 * std::f64::consts::PI * 440.0 * n as f64 / 8000.0).sin()) as i16
            })
            .collect();
        self.audio(&samples)
    }

    fn audio(&mut self, samples: &[i16]) -> PathBuf {
        let mut packets = Vec::new();
        for (i, chunk) in samples.chunks(160).enumerate() {
            let mut chunk = chunk.to_vec();
            chunk.resize(160, 0);
            let codes = umctl::media::Law::A.encode(&chunk);
            let ts = self.ts;
            packets.push((i as u64 * 20_000, self.rtp(8, i == 0, ts, &codes)));
            self.ts = self.ts.wrapping_add(160);
        }
        self.write(&packets)
    }

    fn rtp(&mut self, pt: u8, marker: bool, ts: u32, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0x80, pt | if marker { 0x80 } else { 0 }];
        p.extend(self.seq.to_be_bytes());
        p.extend(ts.to_be_bytes());
        p.extend(0x5eed_0001u32.to_be_bytes());
        p.extend(payload);
        self.seq = self.seq.wrapping_add(1);
        p
    }

    /// A little-endian pcap (Ethernet) of UDP datagrams 127.0.0.1:6000 -> :6002.
    fn write(&mut self, packets: &[(u64, Vec<u8>)]) -> PathBuf {
        let mut b = Vec::new();
        b.extend(0xa1b2_c3d4u32.to_le_bytes());
        b.extend(2u16.to_le_bytes());
        b.extend(4u16.to_le_bytes());
        b.extend([0u8; 8]);
        b.extend(65535u32.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        for (t_us, rtp) in packets {
            let udp_len = 8 + rtp.len();
            let ip_len = 20 + udp_len;
            let mut frame = vec![0u8; 12];
            frame.extend([0x08, 0x00]);
            let mut ip = vec![
                0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
            ];
            ip[2..4].copy_from_slice(&(ip_len as u16).to_be_bytes());
            let sum = checksum(&ip);
            ip[10..12].copy_from_slice(&sum.to_be_bytes());
            frame.extend(ip);
            frame.extend(6000u16.to_be_bytes());
            frame.extend(6002u16.to_be_bytes());
            frame.extend((udp_len as u16).to_be_bytes());
            frame.extend([0, 0]);
            frame.extend(rtp);
            let t = 1_700_000_000_000_000 + t_us;
            b.extend(((t / 1_000_000) as u32).to_le_bytes());
            b.extend(((t % 1_000_000) as u32).to_le_bytes());
            b.extend((frame.len() as u32).to_le_bytes());
            b.extend((frame.len() as u32).to_le_bytes());
            b.extend(frame);
        }
        self.files += 1;
        let path = self.dir.join(format!("keys-{}.pcap", self.files));
        std::fs::write(&path, b).unwrap();
        path
    }
}

fn checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn tones(d: char) -> (f64, f64) {
    const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
    const COLS: [f64; 3] = [1209.0, 1336.0, 1477.0];
    let (r, c) = match d {
        '1' => (0, 0),
        '2' => (0, 1),
        '3' => (0, 2),
        '4' => (1, 0),
        '5' => (1, 1),
        '6' => (1, 2),
        '7' => (2, 0),
        '8' => (2, 1),
        '9' => (2, 2),
        '*' => (3, 0),
        '0' => (3, 1),
        '#' => (3, 2),
        _ => panic!("no tones for {d}"),
    };
    (ROWS[r], COLS[c])
}

/// One step of the caller after the answer. The caller never waits a fixed time for UM: it
/// waits for an event the test sees (the prompt's end in the RTP UM sends, the message
/// marked read), and the test then tells SIPp to go on (an INFO the scenario waits for).
enum Step {
    /// Wait until UM has played a prompt since the last step and gone quiet (it waits for
    /// keys).
    AfterPrompt,
    /// Wait until Bob's message is marked read (moved to `cur/`).
    AfterRead,
    /// The caller's own audio lasts this long (SIPp's clock paces both).
    Speaking(u64),
    Keys(PathBuf),
}

/// How the call ends.
enum End {
    /// UM says goodbye and sends BYE.
    UmHangsUp,
    /// UM sends REFER (SIPp answers 202 and logs the Refer-To), then BYE.
    Refer,
    /// UM sends REFER, SIPp declines it (603); after UM's spoken error (the call goes on) the
    /// caller hangs up.
    ReferDeclined,
    /// The caller hangs up.
    CallerHangsUp,
}

/// Where the scenario waits for the test's go-ahead (an INFO in the call, see [`Caller`]).
const GO_ON: &str =
    "<recv request=\"INFO\" timeout=\"90000\"><action><log message=\"go on\"/></action></recv>\n";

/// The scenario: uac_menu.xml with the steps and the ending filled in.
fn menu_scenario(dir: &Path, steps: &[Step], end: End) -> PathBuf {
    let template = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sipp/uac_menu.xml"),
    )
    .unwrap();
    let keys: String = steps
        .iter()
        .map(|s| match s {
            Step::AfterPrompt | Step::AfterRead => GO_ON.to_string(),
            Step::Speaking(ms) => format!("<pause milliseconds=\"{ms}\"/>\n"),
            Step::Keys(p) => format!(
                "<nop><action><exec play_pcap_audio=\"{}\"/><log message=\"keys {}\"/></action></nop>\n",
                p.display(),
                p.display()
            ),
        })
        .collect();
    let ok = |method: &str| {
        format!(
            "<send><![CDATA[\n\n      SIP/2.0 {method}\n      [last_Via:]\n      [last_From:]\n      [last_To:]\n      [last_Call-ID:]\n      [last_CSeq:]\n      Content-Length: 0\n\n  ]]></send>\n"
        )
    };
    let bye = format!(
        "<recv request=\"BYE\" timeout=\"30000\"><action><log message=\"bye from UM\"/></action></recv>\n{}",
        ok("200 OK")
    );
    let refer = matches!(end, End::Refer | End::ReferDeclined);
    let hang_up = "<send><![CDATA[\n\n      BYE [$worker_contact] SIP/2.0\n      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n      From: \"Alice Adams\" <sip:alice@contoso.com>;tag=[pid]SIPpTag00[call_number]\n      To: [$um_party]\n      Call-ID: [call_id]\n      CSeq: 4 BYE\n      Max-Forwards: 70\n      Content-Length: 0\n\n  ]]></send>\n<recv response=\"200\"/>\n";
    let recv_refer = "<recv request=\"REFER\" timeout=\"30000\"><action>\
             <ereg regexp=\"&lt;([^&gt;]*)&gt;\" search_in=\"hdr\" header=\"Refer-To:\" check_it=\"true\" assign_to=\"junk9,refer_to\"/>\
             <ereg regexp=\".*\" search_in=\"hdr\" header=\"Referred-By:\" check_it=\"true\" assign_to=\"referred_by\"/>\
             <log message=\"refer-to [$refer_to] referred-by [$referred_by]\"/></action></recv>\n";
    let end = match end {
        End::UmHangsUp => bye,
        End::Refer => format!("{recv_refer}{}{bye}", ok("202 Accepted")),
        End::ReferDeclined => format!("{recv_refer}{}{GO_ON}{hang_up}", ok("603 Decline")),
        End::CallerHangsUp => hang_up.to_string(),
    };
    let mut text = template.replace("@KEYS@", &keys).replace("@END@", &end);
    if refer {
        text = text.replace(
            "<Reference variables=\"junk1,",
            "<Reference variables=\"junk9,junk1,",
        );
    }
    let path = dir.join(format!("menu-{}.xml", steps.len()));
    std::fs::write(&path, text).unwrap();
    path
}

/// The scenario with Bob as the caller and `Ms-Exchange-Command: skip-pin` on each INVITE
/// (what Lync sends when a signed-in user calls their own voice mail).
fn as_bob_with_skip_pin(scenario: &Path) {
    let text = std::fs::read_to_string(scenario)
        .unwrap()
        .replace(
            "From: \"Alice Adams\" <sip:alice@contoso.com>",
            "From: \"Bob Haddad\" <sip:bob@contoso.com>",
        )
        .replace(
            " INVITE\n",
            " INVITE\n      Ms-Exchange-Command: skip-pin\n",
        );
    assert!(text.contains("skip-pin") && text.contains("sip:bob@"));
    std::fs::write(scenario, text).unwrap();
}

/// SIPp calling `number` from pool01 through the call router; OVA and AA calls land on the
/// first mailbox server of LOC801 (EX-MBX01).
fn menu_call(serve: &ServeHarness, scenario: &Path, number: &str) -> Sipp {
    let cas = serve.addr("EX-CAS01", "call_router", "udp");
    let mbx = serve.addr("EX-MBX01", "worker", "udp").ip();
    let mut sipp = Sipp::new(scenario.to_str().unwrap(), cas, mbx, "udp");
    sipp.set("-s", number);
    sipp.set("-timeout", "90s");
    sipp
}

/// A caller driven by events: the scenario offers `relay` as its RTP address, so UM's prompts
/// arrive here (SIPp still sends the keys from its own media port); at each
/// [`Step::AfterPrompt`] or [`Step::AfterRead`] the test waits for that event and sends SIPp
/// an INFO in the call (Call-ID `menu-call-1`, set with -cid_str).
struct Caller {
    relay: std::net::UdpSocket,
    /// The mailbox folder whose message [`Step::AfterRead`] waits for.
    mailbox: &'static str,
    /// When the last RTP packet from UM arrived.
    last_packet: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

/// How long UM must stay quiet for its prompt to count as played.
const QUIET: Duration = Duration::from_millis(700);
/// The longest wait for one event.
const EVENT_WAIT: Duration = Duration::from_secs(60);

impl Caller {
    fn new(mailbox: &'static str) -> Caller {
        let relay = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let last_packet = std::sync::Arc::new(std::sync::Mutex::new(None));
        let socket = relay.try_clone().unwrap();
        let seen = last_packet.clone();
        // Ends with the test process; reads whatever UM sends.
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while socket.recv(&mut buf).is_ok() {
                *seen.lock().unwrap() = Some(std::time::Instant::now());
            }
        });
        Caller {
            relay,
            mailbox,
            last_packet,
        }
    }

    /// The scenario with this caller's RTP address in its offer.
    fn offer_here(&self, scenario: &Path) {
        let addr = self.relay.local_addr().unwrap();
        let text = std::fs::read_to_string(scenario)
            .unwrap()
            .replace("[media_ip]", &addr.ip().to_string())
            .replace("[media_port]", &addr.port().to_string());
        std::fs::write(scenario, text).unwrap();
    }

    /// UM sent a packet after `since` and has been quiet for [`QUIET`].
    fn prompt_played(&self, since: std::time::Instant) -> bool {
        self.last_packet
            .lock()
            .unwrap()
            .is_some_and(|t| t > since && t.elapsed() >= QUIET)
    }

    /// Runs SIPp, sending it an INFO at each event of `events`; SIPp is stopped by its PID if
    /// it outlives the events by more than two minutes.
    fn run(&self, sipp: &mut Sipp, lab: &TempLab, events: &[bool]) -> std::process::Output {
        use std::time::Instant;
        sipp.set("-cid_str", "menu-call-%u");
        let sip = std::net::SocketAddr::new(
            sipp.arg("-i").unwrap().parse().unwrap(),
            sipp.arg("-p").unwrap().parse().unwrap(),
        );
        let mut child = sipp.command().spawn().unwrap();
        let mut since = Instant::now();
        for (n, read) in events.iter().enumerate() {
            let end = Instant::now() + EVENT_WAIT;
            let happened = || {
                if *read {
                    maildir(lab, self.mailbox, "cur").len() == 1
                        && maildir(lab, self.mailbox, "new").is_empty()
                } else {
                    self.prompt_played(since)
                }
            };
            while !happened() && Instant::now() < end && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let info = format!(
                "INFO sip:alice@{sip} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bK-go-{n}\r\n\
                 From: <sip:test@127.0.0.1>;tag=go\r\nTo: <sip:alice@contoso.com>\r\n\
                 Call-ID: menu-call-1\r\nCSeq: {} INFO\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
                self.relay.local_addr().unwrap(),
                n + 10
            );
            self.relay.send_to(info.as_bytes(), sip).unwrap();
            since = Instant::now();
        }
        let end = Instant::now() + Duration::from_secs(120);
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(50));
        }
        if matches!(child.try_wait(), Ok(None)) {
            let _ = child.kill();
        }
        child.wait_with_output().unwrap()
    }
}

/// The events of `steps` in order: `true` for [`Step::AfterRead`], `false` for a prompt.
fn events(steps: &[Step], end: &End) -> Vec<bool> {
    let mut events: Vec<bool> = steps
        .iter()
        .filter_map(|s| match s {
            Step::AfterPrompt => Some(false),
            Step::AfterRead => Some(true),
            _ => None,
        })
        .collect();
    if matches!(end, End::ReferDeclined) {
        events.push(false);
    }
    events
}

/// Fills in the scenario, calls `number` with a [`Caller`] and checks SIPp's exit; `edit`
/// may change the scenario first. Returns SIPp's action log.
fn call_menu(
    lab: &TempLab,
    serve: &ServeHarness,
    dir: &Path,
    number: &str,
    steps: &[Step],
    end: End,
    edit: impl FnOnce(&Path),
) -> String {
    let (scenario, events) = prepare(dir, steps, end, edit);
    dial(Caller::new(BOB), lab, serve, &scenario, number, &events)
}

/// [`call_menu`] whose [`Step::AfterRead`] waits for the mailbox folder `user`.
fn call_menu_for(
    user: &'static str,
    lab: &TempLab,
    serve: &ServeHarness,
    dir: &Path,
    number: &str,
    steps: &[Step],
    end: End,
) -> String {
    let (scenario, events) = prepare(dir, steps, end, |_| {});
    dial(Caller::new(user), lab, serve, &scenario, number, &events)
}

/// The scenario filled in (then `edit`ed) and the events its caller waits for.
fn prepare(dir: &Path, steps: &[Step], end: End, edit: impl FnOnce(&Path)) -> (PathBuf, Vec<bool>) {
    let events = events(steps, &end);
    let scenario = menu_scenario(dir, steps, end);
    edit(&scenario);
    (scenario, events)
}

/// Calls `number` with `caller`'s `scenario`; SIPp's action log once it succeeded.
fn dial(
    caller: Caller,
    lab: &TempLab,
    serve: &ServeHarness,
    scenario: &Path,
    number: &str,
    events: &[bool],
) -> String {
    caller.offer_here(scenario);
    let mut sipp = menu_call(serve, scenario, number);
    let out = caller.run(&mut sipp, lab, events);
    check_sipp(&sipp, serve, &out)
}

pub(crate) fn run_ok(sipp: &Sipp, serve: &ServeHarness) -> String {
    let out = sipp.run();
    check_sipp(sipp, serve, &out)
}

fn check_sipp(sipp: &Sipp, serve: &ServeHarness, out: &std::process::Output) -> String {
    let actions = sipp.actions();
    assert!(
        out.status.success(),
        "{:?}\n{}\n{}\n{}\nserve:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        actions,
        sipp.errors(),
        serve.stderr()
    );
    actions
}

/// Bob's mailbox folder, where the fixtures' voice mail goes.
const BOB: &str = "bob";

/// The files in `sub` of the Maildir of the mailbox folder `user`.
pub(crate) fn maildir(lab: &TempLab, user: &str, sub: &str) -> Vec<PathBuf> {
    std::fs::read_dir(
        lab.path()
            .join("mailboxes")
            .join(user)
            .join("Maildir")
            .join(sub),
    )
    .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
    .unwrap_or_default()
}

fn set_pin(lab: &TempLab) {
    lab.run_env(&["lab", "pin", "set", "bob"], &[("UMCTL_PIN", PIN)])
        .ok();
}

/// A lab (LOC801 unsecured, pools granted) and serve; Bob has a PIN.
pub(crate) fn start() -> (TempLab, ServeHarness, tempfile::TempDir) {
    let lab = lab_with_short_greeting();
    set_pin(&lab);
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    (lab, serve, tempfile::tempdir().unwrap())
}

/// A call-answering call leaves Bob a message (uac_voicemail.xml).
pub(crate) fn leave_bob_a_message(lab: &TempLab, serve: &ServeHarness) {
    let sipp = voicemail_sipp(serve, "uac_voicemail.xml");
    run_ok(&sipp, serve);
    let msgs = wait_for_messages(lab, 1, Duration::from_secs(15));
    assert_eq!(msgs.len(), 1, "{}", serve.stderr());
}

/// Waits until the worker logged a finished OVA/AA call whose media sent at least
/// `packets` prompt packets; returns the highest count seen.
fn wait_for_sent_packets(serve: &ServeHarness, packets: u64) -> bool {
    serve.wait_for_log(Duration::from_secs(10), |log| {
        log.iter().any(|l| {
            l["component"] == "worker"
                && l["media"]["sent_packets"].as_u64().unwrap_or(0) >= packets
        })
    })
}

fn wait_for_read_message(lab: &TempLab, user: &str) -> bool {
    for _ in 0..50 {
        if maildir(lab, user, "cur").len() == 1 && maildir(lab, user, "new").is_empty() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Sign in as Bob (9000#, PIN#) with `keys` writing the digits, hear the new message to its
/// end, hang up.
pub(crate) fn sign_in_and_listen(lab: &TempLab, serve: &ServeHarness, dir: &Path, inband: bool) {
    sign_in_and_listen_as(lab, serve, dir, inband, BOB);
}

/// [`sign_in_and_listen`] with extension 9000, whose mailbox folder is `user`.
pub(crate) fn sign_in_and_listen_as(
    lab: &TempLab,
    serve: &ServeHarness,
    dir: &Path,
    inband: bool,
    user: &'static str,
) {
    let mut pad = KeyPad::new(dir);
    let mut press = |d: &str| {
        if inband {
            pad.inband(d)
        } else {
            pad.rfc4733(d)
        }
    };
    let steps = vec![
        Step::AfterPrompt,
        Step::Keys(press("9000#")),
        Step::AfterPrompt,
        Step::Keys(press(&format!("{PIN}#"))),
        // The PIN check, "you have 1 new voice message", "message from ...", 7 s of message,
        // the message menu (played to its end, the message counts as heard).
        Step::AfterRead,
    ];
    call_menu_for(user, lab, serve, dir, OVA, &steps, End::CallerHangsUp);
    assert!(
        wait_for_read_message(lab, user),
        "the message was not marked read: new {:?} cur {:?}\n{}",
        maildir(lab, user, "new"),
        maildir(lab, user, "cur"),
        serve.stderr()
    );
}

#[test]
fn ova_sign_in_plays_the_message_a_caller_left_and_marks_it_read() {
    if !sipp_available("ova_sign_in_plays_the_message_a_caller_left_and_marks_it_read") {
        return;
    }
    let (lab, serve, dir) = start();
    leave_bob_a_message(&lab, &serve);
    sign_in_and_listen(&lab, &serve, dir.path(), false);
    // Prompts and the 7 s message went out as RTP (20 ms packets).
    assert!(wait_for_sent_packets(&serve, 400), "{}", serve.stderr());
    assert!(serve.problems().is_empty(), "{}", serve.stderr());
    crate::call_records::assert_calls_recorded(lab.path(), 2, "SubscriberAccess", true);
}

#[test]
fn ova_in_band_dtmf_signs_in_the_same_way() {
    if !sipp_available("ova_in_band_dtmf_signs_in_the_same_way") {
        return;
    }
    let (lab, serve, dir) = start();
    leave_bob_a_message(&lab, &serve);
    sign_in_and_listen(&lab, &serve, dir.path(), true);
    crate::call_records::assert_calls_recorded(lab.path(), 2, "SubscriberAccess", true);
}

/// Secrets stay out of the log at its most verbose: with `serve -vv`, an OVA logon with
/// Bob's PIN (RFC 4733 digits) and one with three wrong PINs leave neither PIN in serve's stderr,
/// though serve logged the calls at DEBUG and beyond.
#[test]
fn pins_of_an_ova_logon_are_not_in_the_vv_log() {
    if !sipp_available("pins_of_an_ova_logon_are_not_in_the_vv_log") {
        return;
    }
    let lab = lab_with_short_greeting();
    set_pin(&lab);
    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp", "-vv"]);
    let dir = tempfile::tempdir().unwrap();
    leave_bob_a_message(&lab, &serve);
    sign_in_and_listen(&lab, &serve, dir.path(), false);
    let actions = wrong_pins(&lab, &serve, dir.path(), 3);
    assert!(actions.contains("bye from UM"), "{actions}");
    assert!(wait_for_sent_packets(&serve, 400), "{}", serve.stderr());
    assert!(
        serve.log().iter().any(|l| l["level"] == "DEBUG"),
        "{}",
        serve.stderr()
    );
    let log = serve.stderr();
    assert!(!log.contains(PIN), "serve's -vv log holds Bob's PIN");
    assert!(
        !log.contains("135792"),
        "serve's -vv log holds the wrong PIN"
    );
}

/// One OVA call: 9000# then `pins` wrong PINs; UM hangs up.
fn wrong_pins(lab: &TempLab, serve: &ServeHarness, dir: &Path, pins: usize) -> String {
    let mut pad = KeyPad::new(dir);
    let mut steps = vec![Step::AfterPrompt, Step::Keys(pad.rfc4733("9000#"))];
    for _ in 0..pins {
        steps.push(Step::AfterPrompt);
        steps.push(Step::Keys(pad.rfc4733("135792#")));
    }
    call_menu(lab, serve, dir, OVA, &steps, End::UmHangsUp, |_| {})
}

#[test]
fn three_wrong_pins_disconnect_and_fifteen_lock_the_mailbox() {
    if !sipp_available("three_wrong_pins_disconnect_and_fifteen_lock_the_mailbox") {
        return;
    }
    let (lab, serve, dir) = start();
    for call in 1..=5 {
        let actions = wrong_pins(&lab, &serve, dir.path(), 3);
        assert!(actions.contains("bye from UM"), "call {call}: {actions}");
        let show = lab
            .run(&["lab", "pin", "show", "bob", "--json"])
            .ok()
            .json();
        if call < 5 {
            assert_eq!(show["locked"], false, "after call {call}: {show}");
        } else {
            assert_eq!(show["locked"], true, "after call {call}: {show}");
        }
    }
    // The 6th call hears "your mailbox is locked" after the extension and gets BYE.
    let actions = wrong_pins(&lab, &serve, dir.path(), 0);
    assert!(actions.contains("bye from UM"), "{actions}");
    let records = crate::call_records::wait_for_records(lab.path(), 6);
    for r in &records {
        assert_eq!(r["CallType"], "SubscriberAccess", "{r:#}");
        assert_eq!(r["DropCallReason"], "LogonFailures", "{r:#}");
        crate::call_records::assert_quality(r);
    }
    assert_eq!(records[0]["Logons"][2]["WrongPin"]["failure"], 3);
    assert_eq!(records[5]["Logons"][0]["LockedOut"]["user"], "bob");
    // The PIN is never written to the log.
    assert!(!serve.stderr().contains("135792"));
    assert!(!serve.stderr().contains(PIN));
}

#[test]
fn directory_search_ends_in_a_refer_to_the_users_extension() {
    if !sipp_available("directory_search_ends_in_a_refer_to_the_users_extension") {
        return;
    }
    let (lab, serve, dir) = start();
    let mut pad = KeyPad::new(dir.path());
    let steps = vec![
        Step::AfterPrompt,
        Step::Keys(pad.rfc4733("*")),
        Step::AfterPrompt,
        // H-A-D-D-A-D
        Step::Keys(pad.rfc4733("423323#")),
        Step::AfterPrompt,
        Step::Keys(pad.rfc4733("1")),
    ];
    let actions = call_menu(&lab, &serve, dir.path(), OVA, &steps, End::Refer, |_| {});
    assert!(
        actions.contains("refer-to sip:9000@LOC801.contoso.com"),
        "{actions}"
    );
    assert!(
        actions.contains(OVA),
        "Referred-By names the OVA number: {actions}"
    );
    assert!(actions.contains("bye from UM"), "{actions}");
    let r = &crate::call_records::wait_for_records(lab.path(), 1)[0];
    assert_eq!(r["CallType"], "SubscriberAccess", "{r:#}");
    assert_eq!(r["OfferResult"], "Answer", "{r:#}");
    assert_eq!(r["DropCallReason"], "Transfer", "{r:#}");
    assert_eq!(r["TransferredNumber"], "9000", "{r:#}");
    crate::call_records::assert_quality(r);
}

/// The shipped scenario `tests/sipp/uac_aa_key1.xml` (one key: the shipped
/// dtmf_2833_1.pcap is fine for a single digit).
#[test]
fn auto_attendant_key_one_ends_in_a_refer_to_sales() {
    if !sipp_available("auto_attendant_key_one_ends_in_a_refer_to_sales") {
        return;
    }
    let (lab, serve, _dir) = start();
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sipp/uac_aa_key1.xml");
    let actions = run_ok(&menu_call(&serve, &scenario, AA), &serve);
    assert!(
        actions.contains("refer-to sip:9001@LOC801.contoso.com"),
        "{actions}"
    );
    assert!(
        actions.contains(AA),
        "Referred-By names the pilot: {actions}"
    );
    assert!(actions.contains("bye from UM"), "{actions}");
    let r = &crate::call_records::wait_for_records(lab.path(), 1)[0];
    assert_eq!(r["CallType"], "AutoAttendant", "{r:#}");
    assert_eq!(r["DropCallReason"], "Transfer", "{r:#}");
    assert_eq!(r["TransferredNumber"], "9001", "{r:#}");
    crate::call_records::assert_quality(r);
    // SIPp sends no RTCP: the round trip is empty, not zero.
    assert!(r.get("RoundTripMilliseconds").is_none(), "{r:#}");
}

#[test]
fn bad_keys_and_a_pin_timeout_get_a_spoken_error_and_the_menu_again() {
    if !sipp_available("bad_keys_and_a_pin_timeout_get_a_spoken_error_and_the_menu_again") {
        return;
    }
    let (lab, serve, dir) = start();
    leave_bob_a_message(&lab, &serve);
    let mut pad = KeyPad::new(dir.path());
    let steps = vec![
        Step::AfterPrompt,
        // `#` with no extension: "not a valid choice", the welcome again.
        Step::Keys(pad.rfc4733("#")),
        Step::AfterPrompt,
        Step::Keys(pad.rfc4733("9000#")),
        // The PIN prompt, then no PIN for 5 s: "I did not hear a response", the PIN prompt
        // again.
        Step::AfterPrompt,
        Step::AfterPrompt,
        Step::Keys(pad.rfc4733(&format!("{PIN}#"))),
        Step::AfterRead,
    ];
    // The caller's own BYE gets its 200: UM never dropped the call.
    call_menu(
        &lab,
        &serve,
        dir.path(),
        OVA,
        &steps,
        End::CallerHangsUp,
        |_| {},
    );
    assert!(
        wait_for_read_message(&lab, BOB),
        "signed in after the errors and heard the message: new {:?} cur {:?}\n{}",
        maildir(&lab, BOB, "new"),
        maildir(&lab, BOB, "cur"),
        serve.stderr()
    );
    crate::call_records::assert_calls_recorded(lab.path(), 2, "SubscriberAccess", true);
}

#[test]
fn a_declined_transfer_gets_a_spoken_error_and_the_call_goes_on() {
    if !sipp_available("a_declined_transfer_gets_a_spoken_error_and_the_call_goes_on") {
        return;
    }
    let (lab, serve, dir) = start();
    let mut pad = KeyPad::new(dir.path());
    let steps = vec![Step::AfterPrompt, Step::Keys(pad.rfc4733("2"))];
    // SIPp declines the REFER, hears the error and the menu, then hangs up itself: UM did
    // not drop the call.
    let actions = call_menu(
        &lab,
        &serve,
        dir.path(),
        AA,
        &steps,
        End::ReferDeclined,
        |_| {},
    );
    assert!(
        actions.contains("refer-to sip:9002@LOC801.contoso.com"),
        "{actions}"
    );
    assert!(!actions.contains("bye from UM"), "{actions}");
    // The menu's error reaches serve's log at the end of the call.
    assert!(
        serve.wait_for_log(Duration::from_secs(5), |_| serve.stderr().contains(
            "transfer failed: the REFER to sip:9002@LOC801.contoso.com was answered 603"
        )),
        "{}",
        serve.stderr()
    );
    // "Sorry, the call could not be transferred" and the menu again: prompt packets flowed
    // after the refusal.
    assert!(wait_for_sent_packets(&serve, 150), "{}", serve.stderr());
    let records = crate::call_records::assert_calls_recorded(lab.path(), 1, "AutoAttendant", true);
    // The caller hung up after the refusal: the record says so and names the refused REFER.
    assert_eq!(
        records[0]["DropCallReason"], "CallerHungUp",
        "{:#}",
        records[0]
    );
    assert!(records[0]["TransferFailed"].is_string(), "{:#}", records[0]);
}

#[test]
fn leaving_a_message_after_the_directory_search_reaches_the_users_mailbox() {
    if !sipp_available("leaving_a_message_after_the_directory_search_reaches_the_users_mailbox") {
        return;
    }
    let (lab, serve, dir) = start();
    let mut pad = KeyPad::new(dir.path());
    let steps = vec![
        Step::AfterPrompt,
        Step::Keys(pad.rfc4733("*")),
        Step::AfterPrompt,
        Step::Keys(pad.rfc4733("423323#")),
        Step::AfterPrompt,
        // "To leave a message, press two": Bob's greeting (0.2 s) and the beep, then 3 s.
        Step::Keys(pad.rfc4733("2")),
        Step::AfterPrompt,
        Step::Keys(pad.speech(3000)),
        Step::Speaking(3500),
    ];
    call_menu(
        &lab,
        &serve,
        dir.path(),
        OVA,
        &steps,
        End::CallerHangsUp,
        |_| {},
    );
    let msgs = wait_for_messages(&lab, 1, Duration::from_secs(15));
    assert_eq!(msgs.len(), 1, "{}", serve.stderr());
    assert!(msgs[0].contains("Content-Class: voice-ca"), "{}", msgs[0]);
    assert!(msgs[0].contains("X-Umctl-Call-Id"), "{}", msgs[0]);
    // The OVA call that left a message is recorded as the voice message it became.
    let records = crate::call_records::assert_calls_recorded(
        lab.path(),
        1,
        "CallAnsweringVoiceMessage",
        true,
    );
    assert!(records[0]["MessageId"].is_string(), "{:#}", records[0]);
}

#[test]
fn skip_pin_from_the_pool_signs_bob_in_without_a_pin() {
    if !sipp_available("skip_pin_from_the_pool_signs_bob_in_without_a_pin") {
        return;
    }
    let (lab, serve, dir) = start();
    leave_bob_a_message(&lab, &serve);
    // No key at all: the message is announced and played at once.
    let steps = vec![Step::AfterRead];
    call_menu(
        &lab,
        &serve,
        dir.path(),
        OVA,
        &steps,
        End::CallerHangsUp,
        as_bob_with_skip_pin,
    );
    assert!(
        wait_for_read_message(&lab, BOB),
        "new {:?} cur {:?}\n{}",
        maildir(&lab, BOB, "new"),
        maildir(&lab, BOB, "cur"),
        serve.stderr()
    );
    crate::call_records::assert_calls_recorded(lab.path(), 2, "SubscriberAccess", true);
}
