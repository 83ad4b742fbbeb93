//! One mailbox folder per user, whatever the case of the name (issue #16): a lab user whose
//! sAMAccountName is `JSmith` (Bob renamed in this test's lab) gets a voice mail through serve
//! (SIPp, uac_voicemail.xml) in `mailboxes/JSmith/Maildir`; Outlook Voice Access (SIPp, RFC
//! 4733 keys) signs in with JSmith's PIN and plays that same message, marking it read in the
//! same folder; and `trace-call --live` finds its own message there at hop 8. No lower-cased
//! `jsmith` folder appears.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::ova_calls::{maildir, run_ok, sign_in_and_listen_as, PIN};
use crate::serve::{granted_lab, sipp_available, unsecure_loc801};
use crate::support::{ServeHarness, TempLab};
use crate::trace_live::hop;
use crate::voicemail::voicemail_sipp;

const BOB_DN: &str = "CN=Bob Haddad,OU=Contoso Users,DC=contoso,DC=com";
const JSMITH: &str = "JSmith";
const LOC801: &str =
    "CN=LOC801,CN=UM DialPlan Container,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

/// The granted lab with LOC801 unsecured (SIPp has no TLS), Bob's sAMAccountName changed to
/// `JSmith`, a short greeting and a PIN set by that name.
fn lab_with_jsmith() -> TempLab {
    let lab = granted_lab();
    unsecure_loc801(&lab);
    lab.apply(&format!(
        "dn: {BOB_DN}\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName: {JSMITH}\n-\n"
    ))
    .ok();
    let wav = lab.write(
        "short.wav",
        &umctl::media::wav::encode_pcm16(&vec![0i16; 1600]),
    );
    lab.run(&["lab", "greeting", "set", JSMITH, wav.to_str().unwrap()])
        .ok();
    lab.run_env(&["lab", "pin", "set", JSMITH], &[("UMCTL_PIN", PIN)])
        .ok();
    lab
}

/// The message files of JSmith's `Maildir/new`, once there are `n` (at most 15 s).
fn wait_for_new(lab: &TempLab, n: usize) -> Vec<std::path::PathBuf> {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let found = maildir(lab, JSMITH, "new");
        if found.len() >= n || Instant::now() > end {
            return found;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_mixed_case_user_gets_voice_mail_that_ova_plays_and_the_live_trace_finds() {
    if !sipp_available("a_mixed_case_user_gets_voice_mail_that_ova_plays_and_the_live_trace_finds")
    {
        return;
    }
    let lab = lab_with_jsmith();
    let mailboxes = lab.path().join("mailboxes");
    assert!(mailboxes.join(JSMITH).join("greeting.wav").is_file());
    assert!(mailboxes.join(JSMITH).join("pin.json").is_file());

    let serve = ServeHarness::start(&lab, &["--startup-mode", "tcp"]);
    let keys = tempfile::tempdir().unwrap();
    run_ok(&voicemail_sipp(&serve, "uac_voicemail.xml"), &serve);
    let delivered = wait_for_new(&lab, 1);
    assert_eq!(delivered.len(), 1, "{}", serve.stderr());
    let id = file_name(&delivered[0]);

    // OVA: 9000#, JSmith's PIN#, the message played to its end and marked read in place.
    sign_in_and_listen_as(&lab, &serve, keys.path(), false, JSMITH);
    let read = maildir(&lab, JSMITH, "cur");
    assert_eq!(read.len(), 1, "{read:?}");
    assert!(
        file_name(&read[0]).starts_with(&format!("{id}:2,")),
        "OVA read {read:?}, serve delivered {id}"
    );
    assert!(
        mailboxes
            .join(JSMITH)
            .join("playback")
            .join(format!("{id}.wav"))
            .is_file(),
        "the recording OVA played comes from JSmith's folder"
    );
    assert!(
        !std::fs::read_dir(&mailboxes)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name() == "jsmith"),
        "a second, lower-cased folder was made"
    );
    drop(serve);

    // The live trace places its own call (over TLS, as Skype for Business does: LOC801 back
    // to its seeded Secured) and finds the message in the same folder.
    lab.apply(&format!(
        "dn: {LOC801}\nchangetype: modify\nreplace: msExchUMDialPlanVoipSecurity\nmsExchUMDialPlanVoipSecurity: 2\n-\n"
    ))
    .ok();
    let trace = lab
        .run(&[
            "trace-call",
            "--to",
            JSMITH,
            "--live",
            "--json",
            "--message-seconds",
            "1",
            "--delivery-wait",
            "20",
        ])
        .ok()
        .json();
    let delivery = hop(&trace, 8);
    assert_eq!(delivery["outcome"], "ok", "{delivery:#}");
    let file = Path::new(trace["live"]["delivered"].as_str().unwrap()).to_path_buf();
    assert_eq!(
        file.parent().unwrap(),
        mailboxes.join(JSMITH).join("Maildir/new"),
        "{trace:#}"
    );
    assert_eq!(maildir(&lab, JSMITH, "new"), vec![file]);
}
