//! The lab mailboxes as a real mail store (issue 19): a private Dovecot (IMAP, LMTP) started by
//! the test over `<lab>/mailboxes/<sam>/Maildir`, and a private Postfix that delivers into it
//! over LMTP. A voice mail left through serve (SIPp) is read over IMAP: the message byte for
//! byte as serve wrote it, its class header, the WAV samples SIPp sent; OVA marking it read
//! shows as `\Seen` over IMAP; a message Dovecot has moved to `cur/` unread is still new to
//! OVA, and deleted over IMAP it is gone from OVA's list. With `serve --smtp` pointing at
//! Postfix, the message arrives through Postfix and LMTP intact, and one left while Postfix is
//! stopped waits in serve's spool and arrives once it is back. Every process is started here, bound
//! to 127.0.0.1 and stopped by its own PID. Dovecot refuses mail access as root, so the test
//! hands the mailboxes to Debian's `mail` user (8:8) as a deployment would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use umctl::mail::MailStore as _;

use crate::ova_calls::{leave_bob_a_message, sign_in_and_listen, start};
use crate::serve::sipp_available;
use crate::voicemail::{attachment_samples, header, sent_samples};

/// Bob's IMAP password in the test's own passwd file (never on a command line).
const BOB_PASSWORD: &str = "imap-test-secret";

/// Whether `bin` can run here as root (Dovecot and Postfix need root to switch users);
/// skips loudly otherwise, and fails in CI.
pub(crate) fn mail_peer_available(test: &str, bin: &str, package: &str) -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let found = Path::new(bin).is_file() && root && sipp_available(test);
    if !found {
        crate::support::skip_for_missing_peer(
            test,
            &format!("{bin} (apt-get install {package}) and root"),
        );
    }
    found
}

fn run(cmd: &str, args: &[&str]) {
    let status = Command::new(cmd).args(args).status().expect(cmd);
    assert!(status.success(), "{cmd} {args:?}: {status:?}");
}

/// Hands `dir` (recursively) to the `mail` user Dovecot accesses mail as.
pub(crate) fn give_to_mail_user(dir: &Path) {
    run("chown", &["-R", "mail:mail", dir.to_str().unwrap()]);
}

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Stops `child` by its PID (SIGTERM, then SIGKILL after `wait`).
fn stop(child: &mut Child, wait: Duration) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let end = Instant::now() + wait;
    while Instant::now() < end {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A private Dovecot in the foreground (`-F`: the PID held is the master's), nothing read from
/// /etc/dovecot; IMAP on 127.0.0.1:`port`, LMTP on `<dir>/run/lmtp`.
pub(crate) struct Dovecot {
    child: Child,
    pub(crate) port: u16,
    dir: tempfile::TempDir,
}

impl Dovecot {
    /// Serves `<mailboxes>/<user>/Maildir` for Bob; returns once the IMAP greeting came.
    pub(crate) fn start(mailboxes: &Path) -> Dovecot {
        let dir = tempfile::Builder::new()
            .prefix("dovecot-")
            .tempdir()
            .unwrap();
        let d = dir.path();
        for sub in ["run", "state", "index", "control"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        run("chmod", &["0755", d.to_str().unwrap()]);
        give_to_mail_user(&d.join("index"));
        give_to_mail_user(&d.join("control"));
        std::fs::write(d.join("passwd"), format!("bob:{{PLAIN}}{BOB_PASSWORD}\n")).unwrap();
        let port = free_tcp_port();
        let conf = deploy_file("dovecot.conf")
            .replace("@DIR@", d.to_str().unwrap())
            .replace("@MAILBOXES@", mailboxes.to_str().unwrap())
            .replace("@IMAP_PORT@", &port.to_string());
        std::fs::write(d.join("dovecot.conf"), conf).unwrap();
        let child = Command::new("dovecot")
            .arg("-F")
            .arg("-c")
            .arg(d.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dovecot");
        let mut dovecot = Dovecot { child, port, dir };
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if dovecot.greeting().is_some() {
                return dovecot;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = dovecot.log();
        stop(&mut dovecot.child, Duration::from_secs(3));
        panic!("dovecot gave no IMAP greeting within 10 s:\n{log}");
    }

    fn greeting(&self) -> Option<Imap> {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        line.starts_with("* OK").then_some(Imap { reader, tag: 0 })
    }

    /// A session logged in as Bob.
    pub(crate) fn login_bob(&self) -> Imap {
        let mut imap = self.greeting().expect("IMAP greeting");
        imap.command(&format!("LOGIN bob {BOB_PASSWORD}"));
        imap
    }

    /// The LMTP socket (for Postfix).
    pub(crate) fn lmtp_socket(&self) -> PathBuf {
        self.dir.path().join("run/lmtp")
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        stop(&mut self.child, Duration::from_secs(5));
    }
}

/// A private Postfix from `deploy/postfix/`: SMTP on 127.0.0.1:`port`, every recipient to
/// Dovecot's LMTP socket. The PID held is the master's.
pub(crate) struct Postfix {
    child: Option<Child>,
    pub(crate) port: u16,
    dir: tempfile::TempDir,
}

impl Postfix {
    pub(crate) fn start(lmtp: &Path) -> Postfix {
        let dir = tempfile::Builder::new()
            .prefix("postfix-")
            .tempdir()
            .unwrap();
        let d = dir.path();
        run("chmod", &["0755", d.to_str().unwrap()]);
        std::fs::create_dir_all(d.join("queue")).unwrap();
        let port = free_tcp_port();
        let fill = |name: &str| {
            deploy_file(&format!("postfix/{name}"))
                .replace("@DIR@", d.to_str().unwrap())
                .replace("@LMTP@", lmtp.to_str().unwrap())
                .replace("@SMTP@", &format!("127.0.0.1:{port}"))
        };
        std::fs::write(d.join("main.cf"), fill("main.cf")).unwrap();
        std::fs::write(d.join("master.cf"), fill("master.cf")).unwrap();
        let check = Command::new("postfix")
            .args(["-c", d.to_str().unwrap(), "check"])
            .status()
            .unwrap();
        let mut postfix = Postfix {
            child: None,
            port,
            dir,
        };
        assert!(check.success(), "postfix check: {}", postfix.log());
        postfix.restart();
        postfix
    }

    /// Starts the master (again) and waits for the 220 greeting.
    pub(crate) fn restart(&mut self) {
        let child = Command::new("/usr/lib/postfix/sbin/master")
            .arg("-c")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn postfix master");
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut line = String::new();
                if BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("220") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("postfix gave no 220 within 10 s:\n{}", self.log());
    }

    /// SIGTERM to the master by its PID; it stops listening at once.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop(&mut child, Duration::from_secs(5));
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A file of `deploy/` (the configurations a deployment uses are the ones the tests run).
pub(crate) fn deploy_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A minimal IMAP4rev1 client: tagged commands, untagged lines and literals collected.
pub(crate) struct Imap {
    reader: BufReader<TcpStream>,
    tag: u32,
}

impl Imap {
    /// Sends `command`; returns everything the server answered (literals inline) once the
    /// tagged OK came; panics on NO/BAD.
    pub(crate) fn command(&mut self, command: &str) -> Vec<u8> {
        self.tag += 1;
        let tag = format!("a{}", self.tag);
        let stream = self.reader.get_mut();
        stream
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .unwrap();
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            self.reader.read_until(b'\n', &mut line).unwrap();
            assert!(!line.is_empty(), "IMAP server closed the connection");
            out.extend_from_slice(&line);
            if let Some(n) = literal_len(&line) {
                let mut lit = vec![0u8; n];
                self.reader.read_exact(&mut lit).unwrap();
                out.extend_from_slice(&lit);
                continue;
            }
            if line.starts_with(format!("{tag} ").as_bytes()) {
                let text = String::from_utf8_lossy(&line);
                assert!(
                    text.starts_with(&format!("{tag} OK")),
                    "{command:?} -> {text}"
                );
                return out;
            }
        }
    }
}

/// `{n}` at the end of a response line: a literal of n bytes follows.
fn literal_len(line: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(line).ok()?.trim_end();
    let open = text.rfind('{')?;
    text.strip_suffix('}')?[open + 1..].parse().ok()
}

/// The bytes of the literal that follows `marker` (e.g. `BODY[] `) in a response.
fn literal_after(resp: &[u8], marker: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(resp);
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {text}"))
        + marker.len();
    let close = text[at..].find("}\r\n").unwrap() + at;
    let n: usize = text[at + 1..close].parse().unwrap();
    resp[close + 3..close + 3 + n].to_vec()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn a_voice_mail_left_through_serve_is_read_over_imap_and_ova_and_imap_agree_on_its_state() {
    let test =
        "a_voice_mail_left_through_serve_is_read_over_imap_and_ova_and_imap_agree_on_its_state";
    if !mail_peer_available(test, "/usr/sbin/dovecot", "dovecot-imapd") {
        return;
    }
    let (lab, serve, keys) = start();
    leave_bob_a_message(&lab, &serve);
    let mailboxes = lab.path().join("mailboxes");
    let maildir = mailboxes.join("bob/Maildir");
    let written = std::fs::read(&files_in(&maildir.join("new"))[0]).unwrap();
    run("chmod", &["0755", lab.path().to_str().unwrap()]);
    give_to_mail_user(&mailboxes);
    let dovecot = Dovecot::start(&mailboxes);

    // EXAMINE (read-only): the message as serve wrote it, not seen.
    let mut imap = dovecot.login_bob();
    let exists = imap.command("EXAMINE INBOX");
    assert!(String::from_utf8_lossy(&exists).contains("* 1 EXISTS"));
    let fetched = imap.command("UID FETCH 1:* (FLAGS BODY.PEEK[])");
    let flags = String::from_utf8_lossy(&fetched)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(!flags.contains("\\Seen"), "{flags}");
    let body = literal_after(&fetched, "BODY[] ");
    assert!(
        body == written,
        "IMAP returned other bytes than serve wrote"
    );
    let text = String::from_utf8(body).unwrap();
    assert_eq!(
        header(&text, "X-Umctl-Message-Class"),
        Some("IPM.Note.Microsoft.Voicemail.UM.CA")
    );
    assert_eq!(header(&text, "Content-Class"), Some("voice-ca"));
    assert!(
        attachment_samples(&text) == sent_samples(),
        "the WAV over IMAP is not what SIPp said"
    );
    imap.command("LOGOUT");

    // OVA plays it and marks it read: IMAP shows \Seen.
    sign_in_and_listen(&lab, &serve, keys.path(), false);
    let mut imap = dovecot.login_bob();
    imap.command("EXAMINE INBOX");
    let flags = String::from_utf8_lossy(&imap.command("UID FETCH 1:* (FLAGS)")).into_owned();
    assert!(flags.contains("\\Seen"), "{flags}\n{}", dovecot.log());
    imap.command("LOGOUT");

    // A second message; SELECT moves it to cur/ unread: OVA still lists it as new.
    leave_bob_a_message(&lab, &serve);
    let mut imap = dovecot.login_bob();
    let selected = String::from_utf8_lossy(&imap.command("SELECT INBOX")).into_owned();
    assert!(selected.contains("* 2 EXISTS"), "{selected}");
    assert!(
        files_in(&maildir.join("new")).is_empty(),
        "SELECT moves new/ to cur/"
    );
    let store = umctl::mail::MaildirStore::new(&mailboxes);
    let listed = store.new_messages("bob").unwrap();
    assert_eq!(
        listed.len(),
        1,
        "OVA lost the unread message Dovecot moved: {listed:?}"
    );

    // Deleted over IMAP: gone from OVA's list and from disk; the read one stays.
    let unseen = String::from_utf8_lossy(&imap.command("UID SEARCH UNSEEN")).into_owned();
    let uid = unseen
        .lines()
        .find_map(|l| l.strip_prefix("* SEARCH "))
        .unwrap_or_else(|| panic!("{unseen}"))
        .trim()
        .to_string();
    imap.command(&format!("UID STORE {uid} +FLAGS (\\Deleted)"));
    imap.command("EXPUNGE");
    imap.command("LOGOUT");
    assert!(store.new_messages("bob").unwrap().is_empty());
    let left = files_in(&maildir.join("cur"));
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].to_string_lossy().ends_with(":2,S"), "{left:?}");
    crate::support::show_figures(&format!(
        "IMAP: {} bytes read back identical, \\Seen after OVA, expunged message gone from OVA's list",
        written.len()
    ));
    crate::call_records::assert_calls_recorded(lab.path(), 3, "SubscriberAccess", true);
}

/// Files under `dir`, recursively (the SMTP spool's queued messages).
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        files_under(&p)
                    } else {
                        usize::from(p.file_name().is_some_and(|n| n != "serve.lock"))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn serve_delivers_through_postfix_and_dovecot_lmtp_and_its_spool_outlives_a_postfix_restart() {
    let test =
        "serve_delivers_through_postfix_and_dovecot_lmtp_and_its_spool_outlives_a_postfix_restart";
    if !mail_peer_available(test, "/usr/sbin/dovecot", "dovecot-lmtpd")
        || !mail_peer_available(test, "/usr/lib/postfix/sbin/master", "postfix")
    {
        return;
    }
    let lab = crate::voicemail::lab_with_short_greeting();
    let mailboxes = lab.path().join("mailboxes");
    std::fs::create_dir_all(&mailboxes).unwrap();
    run("chmod", &["0755", lab.path().to_str().unwrap()]);
    give_to_mail_user(&mailboxes);
    let dovecot = Dovecot::start(&mailboxes);
    let mut postfix = Postfix::start(&dovecot.lmtp_socket());
    let smtp = format!("smtp://127.0.0.1:{}", postfix.port);
    let serve = crate::support::ServeHarness::start(
        &lab,
        &["--startup-mode", "tcp", "--smtp", smtp.as_str()],
    );
    let new = mailboxes.join("bob/Maildir/new");
    let wait_for = |n: usize, secs: u64| {
        let end = Instant::now() + Duration::from_secs(secs);
        while files_in(&new).len() < n && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(100));
        }
        files_in(&new).len()
    };
    let call = || {
        let sipp = crate::voicemail::voicemail_sipp(&serve, "uac_voicemail.xml");
        let out = sipp.run();
        assert!(
            out.status.success(),
            "{}\n{}",
            sipp.errors(),
            serve.stderr()
        );
    };

    // serve -> SMTP -> Postfix -> LMTP -> Dovecot -> Maildir, read back over IMAP.
    call();
    assert_eq!(wait_for(1, 20), 1, "{}\n{}", postfix.log(), serve.stderr());
    let mut imap = dovecot.login_bob();
    imap.command("EXAMINE INBOX");
    let fetched = imap.command("UID FETCH 1 (BODY.PEEK[])");
    imap.command("LOGOUT");
    let text = String::from_utf8(literal_after(&fetched, "BODY[] ")).unwrap();
    assert_eq!(
        header(&text, "X-Umctl-Message-Class"),
        Some("IPM.Note.Microsoft.Voicemail.UM.CA")
    );
    assert!(
        attachment_samples(&text) == sent_samples(),
        "the WAV changed on the way"
    );

    // Postfix stopped: the message waits in serve's spool; Postfix back: it arrives.
    let stopped_at = Instant::now();
    postfix.stop();
    call();
    std::thread::sleep(Duration::from_secs(2));
    let queued = files_under(&lab.path().join("spool"));
    assert_eq!(files_in(&new).len(), 1);
    assert!(queued > 0, "nothing in the spool while Postfix was down");
    postfix.restart();
    let restarted = Instant::now();
    assert_eq!(wait_for(2, 60), 2, "{}\n{}", postfix.log(), serve.stderr());
    crate::support::show_figures(&format!(
        "Postfix: first message via SMTP/LMTP read over IMAP intact; with Postfix stopped the \
         second waited in serve's spool ({queued} file(s)), arrived {:.1} s after Postfix was \
         back (down {:.1} s); lost 0",
        restarted.elapsed().as_secs_f64(),
        restarted.duration_since(stopped_at).as_secs_f64()
    ));
    crate::call_records::assert_calls_recorded(lab.path(), 2, "CallAnsweringVoiceMessage", true);
}
