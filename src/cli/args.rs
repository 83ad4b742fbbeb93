//! The command line, as clap derive types. This file depends only on clap and std, so the man
//! pages and shell completions are generated from exactly these definitions.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

/// The one exit-code scheme of every command (each man page ends with it).
pub const EXIT_CODES: &str = "\
Exit codes:
  0    done
  1    a check failed (grant-permissions --verify, trace-call), or a confirmation was declined
       (nothing changed)
  2    bad input: a usage error, an invalid value, a contract violation, an object that does
       not exist
  3    the directory or the network cannot be reached, or it refused (access denied)
  130  interrupted (Ctrl-C); nothing changed
With --json, an error is one JSON object on stdout, {\"error\": \"...\", \"exit\": N}, and the
sentence on stderr.

Environment:
  UMCTL_LAB             the lab directory folder (instead of --lab)
  UMCTL_LDAP_PASSWORD   the LDAP bind password (instead of --password-file or the prompt)
  UMCTL_PIN             the PIN for `lab pin set` (instead of --pin-file or the prompt)";

/// Exchange Unified Messaging with Skype for Business: permissions, contacts, call tracing and
/// a local UM endpoint, on a real Active Directory or the embedded lab directory.
#[derive(Debug, Parser)]
#[command(name = "umctl", version, about, long_about = None, after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after the subcommand. Which ones need each other
/// (`--bind-dn` needs `--ldap`, ...) is checked after parsing, in `cli::check_globals`: clap's
/// `requires` and `conflicts_with` on a global option see only one side of the subcommand.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// The lab directory folder (used when no --ldap is given) [default: the platform data
    /// folder, e.g. ~/.local/share/umctl/lab]
    #[arg(long, global = true, env = "UMCTL_LAB", value_name = "DIR")]
    pub lab: Option<PathBuf>,

    /// A real Active Directory: ldaps://dc01.contoso.com or ldap://dc01.contoso.com (StartTLS)
    #[arg(long, global = true, value_name = "URL", value_parser = ldap_url)]
    pub ldap: Option<String>,

    /// The account to bind as: a DN or a UPN (administrator@contoso.com)
    #[arg(long, global = true, value_name = "DN")]
    pub bind_dn: Option<String>,

    /// Read the bind password from this file (else $UMCTL_LDAP_PASSWORD, else a prompt)
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Trust the CA certificates in this PEM file: the DC's (--ldap, for a private CA) and the
    /// SIP servers' (trace-call --live over TLS) instead of the lab CA
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// Bind with SASL GSSAPI (Kerberos, the ticket from kinit) instead of a simple bind
    /// (needs a umctl built with the gssapi feature)
    #[arg(long, global = true)]
    pub sasl_gssapi: bool,

    /// Allow a simple bind over plain ldap:// without StartTLS (test labs only; a Kerberos
    /// bind on ldap:// is sealed and needs no flag)
    #[arg(long, global = true)]
    pub insecure_plain_bind: bool,

    /// Upgrade ldap:// with StartTLS also for --sasl-gssapi (a simple bind always does)
    #[arg(long, global = true)]
    pub start_tls: bool,

    /// Print one JSON document instead of tables
    #[arg(long, global = true)]
    pub json: bool,

    /// Answer yes to confirmations (needed when not on a terminal)
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,

    /// Say more about what is being done (repeat for more)
    #[arg(long, short = 'v', global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Print only results and errors
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

/// `--ldap`: ldaps:// or ldap:// and a host, checked before anything connects.
fn ldap_url(url: &str) -> Result<String, String> {
    const EXPECTED: &str = "expected ldaps://HOST[:PORT] or ldap://HOST[:PORT]";
    let lower = url.to_ascii_lowercase();
    let Some(rest) = ["ldaps://", "ldap://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
    else {
        return Err(format!("not an LDAP URL; {EXPECTED}"));
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("no host after the scheme; {EXPECTED}"));
    }
    Ok(url.to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Let Skype for Business read Exchange UM and give each pool a UM IP gateway with hunt
    /// groups (what ExchUCUtil.ps1 does): plan, confirm, apply all or nothing; or verify
    #[command(after_long_help = GRANT_HELP)]
    GrantPermissions(GrantPermissionsArgs),
    /// Create an Outlook Voice Access (subscriber access) or auto-attendant contact with its
    /// dial plan in otherIPPhone: New-CsExUmContact and the dial-plan edit in one step
    NewContact(NewContactArgs),
    /// List, show, change or remove Exchange UM contacts (the *-CsExUmContact family)
    Contact(ContactArgs),
    /// Show or change an auto attendant's hours, holidays, after-hours menu and greetings
    Aa(AaArgs),
    /// Follow one call hop by hop (Skype front end, AD, CAS call router, UM service, worker,
    /// transport) and name the first broken hop, why, and the fix
    TraceCall(TraceCallArgs),
    /// Check the whole deployment at once, read-only: every user, contact, OVA and
    /// auto-attendant number, dial plan, server, gateway and pool; findings grouped by cause
    Doctor(DoctorArgs),
    /// Run Exchange's SIP side on the lab addresses: the UM Call Router of each Client Access
    /// server, the UM service and the UM worker of each Mailbox server
    Serve(ServeArgs),
    /// Manage the embedded lab directory: init, reset, export, import, apply, hosts, search,
    /// show, pin, greeting
    Lab(LabArgs),
    /// Call data records and summaries of the calls serve took (Get-UMCallDataRecord,
    /// Get-UMCallSummaryReport)
    Report(ReportArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

const GRANT_HELP: &str = "\
What it does (ExchUCUtil.ps1 parity):
  - RTCUniversalServerAdmins and RTCComponentUniversalServices get ListChildren on the Exchange
    organization (this object only) and ListChildren + ReadProperty (inherited) on the UM
    DialPlan Container, the UM AutoAttendant Container and Administrative Groups;
  - every pool with an FQDN, OCS 2007 or newer, gets a UM IP gateway (an existing one with the
    pool's FQDN as address is reused) with MessageWaitingIndicatorAllowed = Lync 2010 or newer
    and not a branch registrar, OutcallsAllowed = not a branch registrar, and one hunt group
    per SIP URI dial plan (other hunt groups on that gateway are deleted).
A second run plans nothing. A failed step undoes the earlier ones. --verify exits 0 when
everything is in place, 1 when anything is missing; declining the confirmation exits 1.";

/// `umctl doctor` options.
#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  umctl doctor                  what is broken anywhere, grouped by cause, with the fixes
  umctl doctor --all            every object checked, broken or not
  umctl doctor --json           one JSON document with every finding
  umctl doctor --powershell     the fixes as Exchange / Skype for Business Management Shell lines

doctor exits 0 when nothing is broken and 1 when something is.")]
pub struct DoctorArgs {
    /// List every object checked, not only the broken ones
    #[arg(long)]
    pub all: bool,
    /// Print the fixes of all findings that have one as PowerShell lines
    #[arg(long, conflicts_with = "all")]
    pub powershell: bool,
    /// Also connect to each UM server's TLS listeners (call router 5061, UM service 5063;
    /// the lab's hosts table, or DNS with --ldap) and check the certificates they offer
    /// against --ca-file (else the lab CA). Read-only: a handshake, then it closes
    #[arg(long)]
    pub tls: bool,
    /// With --tls: the servers listen N ports up (as `umctl serve --port-offset N`)
    #[arg(long, value_name = "N", requires = "tls")]
    pub port_offset: Option<u16>,
}

/// `umctl grant-permissions` options.
#[derive(Debug, Args)]
pub struct GrantPermissionsArgs {
    /// Show the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run: print the plan as LDIF for ldapmodify (or `umctl lab apply`)
    #[arg(long, requires = "dry_run")]
    pub ldif: bool,

    /// With --dry-run: print the plan as Exchange Management Shell lines (Add-ADPermission,
    /// New-UMIPGateway, New-UMHuntGroup, ...), in apply order, for change control
    #[arg(long, requires = "dry_run", conflicts_with = "ldif")]
    pub powershell: bool,

    /// Change nothing: print ExchUCUtil's verification tables; exit 1 when anything is missing
    #[arg(long, conflicts_with_all = ["dry_run", "ldif"])]
    pub verify: bool,

    /// FQDN of the forest that hosts Skype for Business (as ExchUCUtil -Forest); must be the
    /// directory's forest root domain
    #[arg(long, value_name = "FQDN")]
    pub forest: Option<String>,

    /// Limit the gateway and hunt-group work to the pool with this FQDN
    #[arg(long, value_name = "FQDN")]
    pub pool: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_long_help = "\
Examples:
  umctl trace-call --to bob                      Alice's call to Bob goes to voice mail
  umctl trace-call --to 9000 --from alice        an extension, read in the caller's dial plan
  umctl trace-call --to +96265515333             the Outlook Voice Access number of LOC801
  umctl trace-call --to +96265515444 --digits 1  the auto attendant, pressing 1
  umctl trace-call --to bob --ladder             the SIP exchange as a sequence diagram
  umctl trace-call --to bob --json               one JSON document with every hop

The call reaching its goal exits 0; a failing hop exits 1.")]
pub struct TraceCallArgs {
    /// Who is called: an extension (9000), an E.164 number (+96265519000), a SIP URI
    /// (sip:bob@contoso.com) or a user name (bob); an Outlook Voice Access or auto-attendant
    /// number is traced as such
    #[arg(long, value_name = "TARGET")]
    pub to: String,

    /// Who calls (same forms) [default: an outside caller, +14255550199]
    #[arg(long, value_name = "CALLER")]
    pub from: Option<String>,

    /// Why the call reaches Exchange UM
    #[arg(long, value_enum, default_value_t = ScenarioArg::NoAnswer)]
    pub scenario: ScenarioArg,

    /// The caller hangs up before the beep: a missed-call notification instead of a message
    #[arg(long, conflicts_with_all = ["message_seconds", "wave_file"])]
    pub hang_up_before_beep: bool,

    /// How many seconds the caller speaks [default: 10]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=6000))]
    pub message_seconds: Option<u32>,

    /// A WAV file the caller plays as the message (offline: its length is used)
    #[arg(long, value_name = "FILE")]
    pub wave_file: Option<PathBuf>,

    /// DTMF keys the caller presses (0-9 * #): auto-attendant menu keys, an OVA extension
    #[arg(long, value_name = "SEQ")]
    pub digits: Option<String>,

    /// Place the call for real: start `umctl serve` on free loopback ports (or use --serve),
    /// play the Front End's side from the pool's address and record the real messages
    #[arg(long)]
    pub live: bool,

    /// With --live: the call router of an `umctl serve` already running, as HOST:PORT (TCP),
    /// sips:HOST:PORT (TLS, as Skype for Business calls) or sip:HOST:PORT;transport=udp
    #[arg(long, value_name = "ADDR", requires = "live")]
    pub serve: Option<String>,

    /// With --live: how long to wait for the message in the mailbox
    #[arg(long, value_name = "SECONDS", default_value_t = 10, requires = "live", value_parser = clap::value_parser!(u64).range(0..=600))]
    pub delivery_wait: u64,

    /// Draw the SIP exchange as a sequence diagram instead of the hop table
    #[arg(long)]
    pub ladder: bool,

    /// With --live: write the captured SIP and RTP to this pcap file
    #[arg(long, value_name = "FILE", requires = "live")]
    pub pcap: Option<PathBuf>,

    /// With --live over TLS: the certificate chain (PEM) the caller presents for mutual TLS
    /// [default: one for the pool FQDN from the lab CA]
    #[arg(long, value_name = "FILE", requires_all = ["live", "tls_key"])]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// With --pcap on a Secured dial plan: write the SRTP keys of the captured media to this
    /// file (for Wireshark or libsrtp's rtp_decoder); they are never in the pcap itself
    #[arg(long, value_name = "FILE", requires = "pcap")]
    pub pcap_keys: Option<PathBuf>,

    /// The call's time, for an auto attendant's business hours, after hours and holidays
    /// (RFC 3339, e.g. 2027-01-04T09:00:00Z) [default: now]
    #[arg(long, value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
}

/// Why the call reaches Exchange UM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioArg {
    /// The callee does not answer (Diversion reason no-answer)
    NoAnswer,
    /// The callee is busy (Diversion reason user-busy)
    Busy,
    /// A call straight to UM, without diversion (Outlook Voice Access)
    Direct,
}

/// UMStartupMode: which transports the components listen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StartupModeArg {
    /// TCP only (call router 5060, UM service 5062, worker 5065), plus UDP on those ports
    Tcp,
    /// TLS only (call router 5061, UM service 5063, worker 5066)
    Tls,
    /// Both (what Skype for Business needs)
    Dual,
}

/// How serve's log on stderr looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormatArg {
    /// One line of text per event, with its spans (server, component, call)
    Text,
    /// One flat JSON object per line
    Json,
}

/// `umctl serve` options.
#[derive(Debug, Args)]
#[command(after_long_help = "\
What runs where (domain.md B.4.1): each Client Access server runs the UM Call Router (TCP 5060,
TLS 5061); each Mailbox server with the UM role runs the UM service (5062/5063) and a UM worker
(5065/5066). UDP listens on every TCP port too. Each server listens on the address its FQDN has
in the lab's hosts table (`umctl lab hosts`); with --ldap, on the address the system resolver
gives (and --server is required).

When everything is bound, one JSON line on stdout names every listener:
  {\"servers\":[{\"name\":\"EX-CAS01\",\"fqdn\":\"ex-cas01.contoso.com\",\"roles\":[{\"role\":\"call_router\",
   \"udp\":\"127.0.20.1:5060\",\"tcp\":\"127.0.20.1:5060\",\"tls\":\"127.0.20.1:5061\"}]}, ...]}
Then stderr gets one line per SIP transaction (--log-format json: JSON lines). Ctrl-C or SIGTERM
stops taking calls (503 to INVITEs and to OPTIONS, so a load balancer moves away), lets the
active calls finish for --drain-timeout seconds, sends BYE to the rest and exits 0.

Calls are admitted only from a UM IP gateway's address (run grant-permissions first for the
Skype for Business pools); on SIPSecured and Secured dial plans over mutual TLS, a name in the
peer's certificate (trusted by --client-ca, else the lab CA) must be a gateway's address. The worker answers with SDP and runs the call over RTP: call
answering (the greeting, the beep, the recording sent as voice mail), Outlook Voice Access on
the dial plan's OVA number and the auto attendant on its pilot number, with DTMF (RFC 4733 or
in-band) and REFER transfers.

Messages go to the lab mailbox (<lab>/mailboxes/<sAMAccountName>/Maildir), or with --smtp to an
SMTP server through a spool in <lab>/spool that survives a restart. After a voice message, a
SIP NOTIFY (message-summary, RFC 3842) goes to every UM IP gateway of the user's dial plan that
allows MWI, retried for 5 minutes; each attempt is one log line.

Examples:
  umctl serve                                   every server, Exchange's ports, TCP and TLS
  umctl serve --server EX-MBX02 --startup-mode tcp
  umctl serve --ephemeral-ports --log-format json   free ports, for tests
  umctl serve --smtp smtp://127.0.0.1:2525      voice mail over SMTP")]
pub struct ServeArgs {
    /// Run only this Exchange server (its name, e.g. EX-CAS01)
    #[arg(long, value_name = "NAME")]
    pub server: Option<String>,

    /// UMStartupMode: TCP, TLS or both
    #[arg(long, value_enum, default_value = "dual", value_name = "MODE")]
    pub startup_mode: StartupModeArg,

    /// Add N to every port (5060 + N, ...), e.g. to run beside a real SIP server
    #[arg(long, value_name = "N", conflicts_with = "ephemeral_ports")]
    pub port_offset: Option<u16>,

    /// Listen on ports the system picks (the redirects name the real ports)
    #[arg(long)]
    pub ephemeral_ports: bool,

    /// Test only: take this instant (RFC 3339) as every call's time for auto attendants
    #[arg(long, value_name = "TIME", hide = true)]
    pub test_clock: Option<jiff::Timestamp>,

    /// MaxCallsAllowed: concurrent calls per Mailbox server (both its workers); beyond it, 503.
    /// Exchange's Set-UMService takes 0-200; up to 1000 is accepted for load tests
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub max_calls: u16,

    /// TCP and TLS connections each SIP listener keeps open at once (beyond it, new ones are
    /// closed at once)
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Of --max-connections, those from one peer address (all its ports, TCP and TLS)
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections_per_address: u32,

    /// Overload: past N requests waiting at a listener (received and not yet taken, or with the
    /// call handler: directory lookup, call set-up), a new INVITE gets 503 with Retry-After
    #[arg(long, value_name = "N", default_value_t = crate::sip::overload::DEFAULT_MAX_PENDING, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_pending_requests: u32,

    /// How the log on stderr looks (transactions, calls, MWI, SMTP; -q / -v / -vv set the level)
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub log_format: LogFormatArg,

    /// On SIGTERM or Ctrl-C: answer 503 to new calls and to OPTIONS probes, let the active
    /// calls finish for at most this many seconds, then send BYE to the rest
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub drain_timeout: u64,

    /// The administrator's TLS certificate chain (PEM: the server's certificate, then the
    /// intermediates) for the servers run (one with --server NAME) [default: one per server
    /// FQDN from the lab CA in <lab>/ca]
    #[arg(
        long = "tls-cert",
        alias = "cert",
        value_name = "FILE",
        requires = "key"
    )]
    pub cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert
    #[arg(
        long = "tls-key",
        alias = "key",
        value_name = "FILE",
        requires = "cert"
    )]
    pub key: Option<PathBuf>,

    /// Accept peers' TLS certificates (mutual TLS on SIPSecured and Secured dial plans) issued
    /// by the CAs in this PEM file [default: the lab CA]
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,

    /// Deliver voice mail to this SMTP server, smtp://host[:port] (STARTTLS when offered),
    /// through the spool in <lab>/spool [default: the lab mailbox,
    /// <lab>/mailboxes/<sAMAccountName>/Maildir]
    #[arg(long, value_name = "URL")]
    pub smtp: Option<String>,

    /// Also trust this CA certificate (PEM) for the SMTP server's STARTTLS certificate
    #[arg(long, value_name = "FILE", requires = "smtp")]
    pub smtp_ca: Option<PathBuf>,

    /// Keep call records in DIR/calls [default: <lab>/calls; with --ldap, the platform data
    /// folder]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Serve Prometheus metrics at http://ADDR/metrics (ADDR: PORT for 127.0.0.1:PORT, or
    /// HOST:PORT)
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,

    /// Remove call records older than this many days (Exchange keeps 90)
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub keep_days: u32,

    /// Voice Mail Preview: add a transcript (pocketsphinx, Debian's English model) to each
    /// voice message; needs a build with `--features preview`
    #[arg(long)]
    pub preview: bool,

    /// Wait at most this many seconds for a message's preview before delivering it without;
    /// a Maildir message gets its preview when ready, an SMTP one only within this wait
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0, requires = "preview", value_parser = preview_wait)]
    pub preview_wait: f64,

    /// Show a transcript when the mean confidence of its words is at least this (0 to 1);
    /// below it the message says the preview is not available
    #[arg(long, value_name = "P", default_value_t = 0.6, requires = "preview", value_parser = preview_threshold)]
    pub preview_threshold: f64,
}

/// `--preview-threshold`: 0 to 1.
fn preview_threshold(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{s}': expected a confidence from 0 to 1, e.g. 0.6"
        )),
    }
}

/// `--preview-wait`: 0 to 600 seconds.
fn preview_wait(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=600.0).contains(&v) => Ok(v),
        _ => Err(format!("'{s}': expected seconds from 0 to 600, e.g. 2.5")),
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The call data records, newest first (Get-UMCallDataRecord)
    Calls(ReportCallsArgs),
    /// Totals per dial plan, gateway or server and per day or month
    /// (Get-UMCallSummaryReport)
    Summary(ReportSummaryArgs),
}

/// Where the records are read from, and how they are printed.
#[derive(Debug, Args)]
pub struct ReportSource {
    /// Read the records of DIR/calls (serve's --data-dir) [default: <lab>/calls; with --ldap,
    /// the platform data folder]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print CSV with Exchange's column names
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

#[derive(Debug, Args)]
pub struct ReportCallsArgs {
    #[command(flatten)]
    pub source: ReportSource,

    /// Only calls of this user (sAMAccountName or number: mailbox, signed-in user, caller,
    /// callee)
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,

    /// Only calls of this dial plan
    #[arg(long, value_name = "NAME")]
    pub dial_plan: Option<String>,

    /// Only calls at or after T (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "T")]
    pub since: Option<String>,

    /// Only calls before T (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "T")]
    pub until: Option<String>,

    /// Only calls of this type (CallAnsweringVoiceMessage, CallAnsweringMissedCall,
    /// SubscriberAccess, AutoAttendant, Rejected, ...)
    #[arg(long = "type", value_name = "TYPE")]
    pub call_type: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportSummaryArgs {
    #[command(flatten)]
    pub source: ReportSource,

    /// One row per dial plan, UM IP gateway or server
    #[arg(long, value_enum, default_value = "dial-plan", value_name = "GROUP")]
    pub group_by: GroupByArg,

    /// One row per day or per month
    #[arg(long, value_enum, default_value = "day", value_name = "INTERVAL")]
    pub interval: IntervalArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupByArg {
    DialPlan,
    Gateway,
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum IntervalArg {
    Day,
    Month,
}

#[derive(Debug, Args)]
pub struct LabArgs {
    #[command(subcommand)]
    pub command: LabCommand,
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Create the lab directory from the built-in contoso.com forest
    Init {
        /// Replace an existing lab (it is kept in backups/)
        #[arg(long)]
        force: bool,
    },
    /// Put the lab back to the built-in forest (the old forest and mailboxes go to backups/)
    Reset,
    /// Print the whole forest as LDIF
    Export {
        /// Write to this file instead of standard output
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Replace the forest with an LDIF file (an export), or with a copy of a real forest's
    /// Exchange and Skype objects (--from-ldap); the old one is kept in backups/
    Import {
        /// LDIF file of content records ("-" for standard input)
        #[arg(required_unless_present = "from_ldap", conflicts_with = "from_ldap")]
        file: Option<PathBuf>,
        /// Copy the Exchange UM and Skype objects of the forest named by --ldap (no secrets)
        #[arg(long)]
        from_ldap: bool,
    },
    /// Apply LDIF change records (as ldapmodify would), all or nothing
    Apply {
        /// LDIF file of change records ("-" for standard input)
        file: PathBuf,
    },
    /// Print the lab's FQDN to loopback address table
    Hosts,
    /// Search the lab like ldapsearch: print matching objects as LDIF (or JSON)
    Search {
        /// RFC 4515 filter, e.g. '(&(objectClass=user)(proxyAddresses=eum:*))'
        filter: String,
        /// Attributes to print (all when none are given)
        attrs: Vec<String>,
        /// Where to start [default: the forest root]
        #[arg(long, short = 'b', value_name = "DN")]
        base: Option<String>,
        /// How deep to look
        #[arg(long, short = 's', value_enum, default_value_t = SearchScope::Sub)]
        scope: SearchScope,
    },
    /// Check a hand-edited forest.ldif in full and stamp it with its object count and digest,
    /// so umctl reads it again (a file that does not match its header is refused until then)
    AcceptEdit,
    /// List the snapshots kept before every write (time, command, objects)
    Backups {
        /// Keep the N newest snapshots from now on (default 20); older ones are removed
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        keep: Option<u32>,
    },
    /// Bring back the forest of a snapshot (the current forest is kept as a snapshot first)
    Restore {
        /// The snapshot's ID, as `umctl lab backups` lists it
        id: String,
    },
    /// Show the objects and attributes that differ between the lab and a snapshot (the newest
    /// when none is given), an LDIF file, or the real AD named by --ldap
    Diff {
        /// A snapshot ID or an LDIF file [default: the newest snapshot]
        #[arg(value_name = "ID|FILE")]
        against: Option<String>,
    },
    /// Show one object by DN or by name (cn, sAMAccountName, displayName, FQDN, SIP address)
    Show {
        /// A DN, or a name
        object: String,
    },
    /// Certificates from the lab CA (<lab>/ca): good ones, and faulty ones to test the TLS
    /// checks of trace-call --live and doctor --tls
    Cert {
        #[command(subcommand)]
        command: CertCommand,
    },
    /// Outlook Voice Access PINs of the lab mailboxes: set one, clear a lockout, show the state
    Pin {
        #[command(subcommand)]
        command: PinCommand,
    },
    /// Set a user's voice mail greeting or recorded name (stored in the lab mailbox folder)
    Greeting {
        #[command(subcommand)]
        command: GreetingCommand,
    },
}

/// `umctl lab pin ...`.
#[derive(Debug, Subcommand)]
pub enum PinCommand {
    /// Set a user's PIN (UM mailbox policy: 6-24 digits, no repeated or sequential digits, not
    /// the extension); read from --pin-file, else $UMCTL_PIN, else a prompt, never the
    /// command line; clears the failure count and lockout
    Set {
        /// The user (sAMAccountName, or any name `lab show` accepts)
        user: String,
        /// Read the PIN from this file (its first line)
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
    },
    /// Clear a user's lockout and failure count (the PIN stays)
    Reset {
        /// The user (sAMAccountName, or any name `lab show` accepts)
        user: String,
    },
    /// Whether a user has a PIN, is locked out, and the failures counted (never the hash)
    Show {
        /// The user (sAMAccountName, or any name `lab show` accepts)
        user: String,
    },
}

/// `umctl lab greeting ...`
#[derive(Debug, Subcommand)]
pub enum GreetingCommand {
    /// Make FILE the user's custom greeting (greeting.wav): callers hear it instead of the
    /// system greeting; with --away, the away (out-of-office) greeting (away.wav)
    Set {
        /// The user: sAMAccountName, SIP address, e-mail address or DN
        user: String,
        /// A WAV file: 8 or 16 kHz, mono or stereo, PCM or G.711 (stored as 8 kHz mono)
        file: PathBuf,
        /// Store FILE as the away greeting, played instead while `greeting away USER on`
        #[arg(long)]
        away: bool,
    },
    /// Turn the user's away (out-of-office) greeting on or off
    Away {
        /// The user: sAMAccountName, SIP address, e-mail address or DN
        user: String,
        /// on or off
        #[arg(value_name = "ON|OFF", value_parser = on_off, action = clap::ArgAction::Set)]
        state: bool,
    },
    /// Make FILE the user's recorded name (name.wav), played inside the system greeting
    RecordName {
        /// The user: sAMAccountName, SIP address, e-mail address or DN
        user: String,
        /// A WAV file: 8 or 16 kHz, mono or stereo, PCM or G.711 (stored as 8 kHz mono)
        file: PathBuf,
    },
}

/// Search scope, as ldapsearch spells it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SearchScope {
    /// The base object only
    Base,
    /// The base's children
    One,
    /// The base and everything below it
    Sub,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `--dry-run` and `--ldif`: print the planned changes instead of making them.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct PlanArgs {
    /// Print the changes instead of making them
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: print the changes as LDIF change records (for ldapmodify)
    #[arg(long, requires = "dry_run")]
    pub ldif: bool,
    /// With --dry-run: print the changes as Skype for Business Management Shell and
    /// ActiveDirectory-module lines (New-CsExUmContact, Set-ADObject, ...), for change control
    #[arg(long, requires = "dry_run", conflicts_with = "ldif")]
    pub powershell: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = NEW_CONTACT_HELP)]
pub struct NewContactArgs {
    /// The contact's SIP address, unused by any user or contact (e.g. sip:ova.loc801@contoso.com)
    #[arg(long, value_name = "SIP")]
    pub sip_address: Option<String>,
    /// FQDN of the registrar pool that homes the contact (Lync Server 2010 or newer)
    #[arg(long, value_name = "FQDN")]
    pub registrar_pool: Option<String>,
    /// The number callers dial, E.164 (+ and digits, first digit not 0): the dial plan's
    /// Outlook Voice Access number, or the auto attendant's pilot number
    #[arg(long, value_name = "NUMBER")]
    pub display_number: Option<String>,
    /// The OU the contact goes to (e.g. "OU=ExUmContacts,DC=contoso,DC=com")
    #[arg(long, value_name = "DN")]
    pub ou: Option<String>,
    /// The SIP URI UM dial plan [default: the one whose OVA number, or whose auto attendant's
    /// pilot, is the display number]
    #[arg(long, value_name = "NAME")]
    pub dial_plan: Option<String>,
    /// Make an auto-attendant contact [default NAME: the auto attendant whose pilot number is
    /// the display number]
    #[arg(long, value_name = "NAME", num_args = 0..=1)]
    pub auto_attendant: Option<Option<String>>,
    /// The display name [default: the dial plan or auto attendant name plus "Subscriber
    /// Access" or "Auto Attendant"]
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    /// A description (say what the number is for)
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Create the contact even when the number is not the dial plan's OVA number or the auto
    /// attendant's pilot number (a warning is printed)
    #[arg(long)]
    pub force: bool,
    /// Create many contacts from a CSV file ("-" for standard input); the header names the
    /// columns: sip_address, registrar_pool, display_number, ou, and optionally dial_plan,
    /// auto_attendant (empty, true, or a name), display_name, description
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "sip_address", "registrar_pool", "display_number", "ou", "dial_plan",
        "auto_attendant", "display_name", "description",
    ])]
    pub from_csv: Option<PathBuf>,
    #[command(flatten)]
    pub plan: PlanArgs,
}

const NEW_CONTACT_HELP: &str = "\
Examples:
  umctl new-contact --sip-address sip:ova.loc801@contoso.com --registrar-pool pool01.contoso.com \\
      --display-number +96265515333 --ou \"OU=ExUmContacts,DC=contoso,DC=com\"
  umctl new-contact --sip-address sip:aa.loc801@contoso.com --registrar-pool pool01.contoso.com \\
      --display-number +96265515444 --ou \"OU=ExUmContacts,DC=contoso,DC=com\" --auto-attendant
  umctl new-contact --from-csv contacts.csv

On a terminal, missing values are asked for; otherwise they are errors. The contact is
written as one change: if adding otherIPPhone fails, the contact is removed again.";

#[derive(Debug, Args)]
pub struct AaArgs {
    #[command(subcommand)]
    pub command: AaCommand,
}

/// `umctl aa ...`
#[derive(Debug, Subcommand)]
pub enum AaCommand {
    /// Show an auto attendant: pilots, time zone, business hours, holidays, the menu and
    /// greeting of each period (Get-UMAutoAttendant)
    Show {
        /// The auto attendant's name (e.g. LOC801-AA)
        name: String,
    },
    /// Change an auto attendant's time zone, business hours, holidays and after-hours menu
    /// (Set-UMAutoAttendant)
    Set {
        /// The auto attendant's name
        name: String,
        /// IANA time zone the schedule and holidays are in (e.g. Europe/Amsterdam)
        #[arg(long, value_name = "TZ")]
        time_zone: Option<String>,
        /// Business hours, replacing the schedule; repeat for more ranges ("Mon-Fri
        /// 08:00-17:30", "Sat 09:00-12:00")
        #[arg(long, value_name = "RANGE")]
        business_hours: Vec<String>,
        /// An after-hours key mapping "N;Name, extension" (keys 1-9), replacing the after-hours
        /// menu; repeat for more keys
        #[arg(long, value_name = "KEY")]
        after_hours_key: Vec<String>,
        /// A holiday "Name,YYYY-MM-DD[,YYYY-MM-DD]" (first and last day); repeat for more
        #[arg(long, value_name = "HOLIDAY")]
        holiday: Vec<String>,
        /// Transfer to the operator on 0 during business hours: on or off
        #[arg(long, value_name = "ON|OFF", value_parser = on_off)]
        business_operator: Option<bool>,
        /// Transfer to the operator on 0 after hours and on holidays: on or off
        #[arg(long, value_name = "ON|OFF", value_parser = on_off)]
        after_hours_operator: Option<bool>,
        #[command(flatten)]
        plan: PlanArgs,
    },
    /// Set the welcome greeting of one period from a WAV file
    Greeting {
        #[command(subcommand)]
        command: AaGreetingCommand,
    },
}

/// `umctl aa greeting ...`
#[derive(Debug, Subcommand)]
pub enum AaGreetingCommand {
    /// Store FILE as the business-hours, after-hours or a holiday's greeting (in the lab's
    /// autoattendants/NAME/ folder) and name it in the directory
    #[command(group(clap::ArgGroup::new("period").required(true)))]
    Set {
        /// The auto attendant's name
        name: String,
        /// The business-hours welcome greeting
        #[arg(long, group = "period")]
        business: bool,
        /// The after-hours welcome greeting
        #[arg(long, group = "period")]
        after_hours: bool,
        /// The greeting of this holiday (added with `aa set --holiday`)
        #[arg(long, group = "period", value_name = "HOLIDAY")]
        holiday: Option<String>,
        /// A WAV file: 8 or 16 kHz, mono or stereo, PCM or G.711 (stored as 8 kHz mono)
        file: PathBuf,
        #[command(flatten)]
        plan: PlanArgs,
    },
}

/// `on` or `off`.
fn on_off(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("'{s}': expected on or off")),
    }
}

#[derive(Debug, Args)]
pub struct ContactArgs {
    #[command(subcommand)]
    pub command: ContactCommand,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// List the Exchange UM contacts (Get-CsExUmContact)
    List {
        /// Only auto-attendant contacts
        #[arg(long, conflicts_with = "subscriber_access")]
        auto_attendant: bool,
        /// Only subscriber access (Outlook Voice Access) contacts
        #[arg(long)]
        subscriber_access: bool,
        /// Only contacts of this dial plan
        #[arg(long, value_name = "NAME")]
        dial_plan: Option<String>,
    },
    /// Show one contact
    Show {
        /// A DN, a SIP address (sip:...) or a display number (+..., tel:+...)
        id: String,
    },
    /// Change a contact, keeping otherIPPhone in step (Set-CsExUmContact)
    Set {
        /// A DN, a SIP address (sip:...) or a display number (+..., tel:+...)
        id: String,
        /// New display number (E.164); also the line URI
        #[arg(long, value_name = "NUMBER")]
        display_number: Option<String>,
        /// New SIP address; also written into otherIPPhone
        #[arg(long, value_name = "SIP")]
        sip_address: Option<String>,
        /// New description ("" removes it)
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// New display name
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
        /// Enable or disable the contact for Skype for Business (msRTCSIP-UserEnabled)
        #[arg(long, value_name = "true|false")]
        enabled: Option<bool>,
        /// Accept a number that is not the dial plan's OVA number or the auto attendant's pilot
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        plan: PlanArgs,
    },
    /// Remove a contact (asks first unless --yes; Remove-CsExUmContact)
    Remove {
        /// A DN, a SIP address (sip:...) or a display number (+..., tel:+...)
        id: String,
        #[command(flatten)]
        plan: PlanArgs,
    },
}

/// `umctl lab cert ...`
#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Issue a certificate (PEM chain and key) for an Exchange server or a Skype pool: good by
    /// default, or with exactly the faults asked for
    #[command(after_long_help = "\
Examples:
  umctl lab cert issue --server EX-CAS01                  good: CN and SAN ex-cas01.contoso.com
  umctl lab cert issue --server EX-CAS01 --wildcard       *.contoso.com
  umctl lab cert issue --server EX-CAS01 --name ex-mbx02.contoso.com
  umctl lab cert issue --server EX-CAS01 --expired --out /tmp/certs
  umctl serve --server EX-CAS01 --tls-cert FILE.pem --tls-key FILE.key")]
    Issue(CertIssueArgs),
}

/// `umctl lab cert issue` options.
#[derive(Debug, Args)]
pub struct CertIssueArgs {
    /// An Exchange server's name (EX-CAS01) or FQDN, or a host of the lab's hosts table
    /// (pool01.contoso.com)
    #[arg(long, value_name = "NAME")]
    pub server: String,

    /// Put this name in the certificate instead of the server's FQDN (a name that does not match)
    #[arg(long, value_name = "FQDN", conflicts_with = "wildcard")]
    pub name: Option<String>,

    /// A wildcard name, *. and the FQDN's domain (not supported between Lync and Exchange UM)
    #[arg(long)]
    pub wildcard: bool,

    /// Valid from 40 days ago until 10 days ago
    #[arg(long, conflicts_with_all = ["not_yet_valid", "expires_in_days"])]
    pub expired: bool,

    /// Valid only from 10 days from now
    #[arg(long, conflicts_with = "expires_in_days")]
    pub not_yet_valid: bool,

    /// Expires in this many days (under 30: the checks warn)
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u16).range(1..))]
    pub expires_in_days: Option<u16>,

    /// Client authentication only: no server-auth extended key usage
    #[arg(long)]
    pub no_server_auth: bool,

    /// Signed by another CA ("umctl untrusted CA" in <lab>/ca/untrusted) that nothing trusts
    #[arg(long)]
    pub untrusted: bool,

    /// Write NAME.pem (the chain) and NAME.key here [default: <lab>/ca/issued]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
