//! [`route_target`]: where each Exchange component sends an admitted call (domain.md B.4.1,
//! B.4.2). The CAS call router redirects (302) to the mailbox server's UM service: the
//! user's mailbox server for call answering, the first mailbox server linked to the dial plan
//! for Outlook Voice Access and auto attendants. The UM service redirects to its worker
//! process. The worker answers. The 302 Contact is the original Request-URI with the target
//! host and port and a `transport` parameter (and `maddr` replaced when present).
//!
//! It builds no SIP message (the caller does, with `sip::response_to`) and opens no socket.

use serde::Serialize;

use super::ports::{ExchangePorts, PortMap};
pub use super::ports::{
    Stage, Transport, CALL_ROUTER_PORTS, SECOND_WORKER_PORTS, UM_SERVICE_PORTS, WORKER_PORTS,
};
use super::resolve::{rejection, RejectReason, Rejection, Resolution};
use super::{IncomingCall, UmError};
use crate::directory::lookup;
use crate::directory::Directory;
use crate::sip::SipUriParts;

/// Where a 302 sends the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RedirectTarget {
    /// The Exchange server's name (`EX-MBX02`).
    pub server: String,
    /// Its FQDN.
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    /// The Contact URI of the 302.
    pub contact: String,
}

/// What a component does with an admitted (or rejected) call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Routing {
    Redirect(RedirectTarget),
    /// Answer (200 OK): the worker.
    Answer,
    Reject(Rejection),
}

/// The Contact of a redirect: `request_uri` with host, port and transport replaced.
pub fn redirect_contact(
    request_uri: &str,
    host: &str,
    port: u16,
    transport: Transport,
) -> Result<String, UmError> {
    let parts = SipUriParts::parse(request_uri)?;
    let mut out = format!("{}:", parts.scheme);
    if let Some(user) = &parts.user {
        out.push_str(user);
        out.push('@');
    }
    out.push_str(&format!("{host}:{port}"));
    let mut had_maddr = false;
    for (name, value) in &parts.params {
        if name.eq_ignore_ascii_case("transport") {
            continue;
        }
        if name.eq_ignore_ascii_case("maddr") {
            had_maddr = true;
            continue;
        }
        out.push(';');
        out.push_str(name);
        if let Some(v) = value {
            out.push('=');
            out.push_str(v);
        }
    }
    out.push_str(";transport=");
    out.push_str(transport.param());
    if had_maddr {
        out.push_str(";maddr=");
        out.push_str(host);
    }
    Ok(out)
}

/// What the component at `stage` does with `call`, given `resolution` (from
/// [`resolve_call`](super::resolve_call)), with Exchange's ports in the Contact.
pub fn route_target<D: Directory + ?Sized>(
    dir: &D,
    resolution: &Resolution,
    stage: Stage,
    call: &IncomingCall,
) -> Result<Routing, UmError> {
    route_target_with(dir, resolution, stage, call, &ExchangePorts)
}

/// [`route_target`] with the target's port taken from `ports` (`umctl serve` on other
/// ports); Exchange's port when `ports` does not know the target.
pub fn route_target_with<D: Directory + ?Sized>(
    dir: &D,
    resolution: &Resolution,
    stage: Stage,
    call: &IncomingCall,
    ports: &dyn PortMap,
) -> Result<Routing, UmError> {
    if let Resolution::Rejected(r) = resolution {
        return Ok(Routing::Reject(r.clone()));
    }
    let transport = Transport::of(call.secure);
    match stage {
        Stage::Worker => Ok(Routing::Answer),
        Stage::UmService => {
            let host = call.request_host.clone();
            let port = ports
                .port(&host, Stage::Worker, transport)
                .unwrap_or_else(|| transport.pick(WORKER_PORTS));
            let org = lookup::organization(dir)?;
            let server = lookup::exchange_servers(dir, &org)?
                .into_iter()
                .find(|s| {
                    s.fqdn
                        .as_deref()
                        .is_some_and(|f| f.eq_ignore_ascii_case(&host))
                })
                .map(|s| s.name)
                .unwrap_or_else(|| host.clone());
            Ok(Routing::Redirect(RedirectTarget {
                server,
                contact: redirect_contact(&call.request_uri, &host, port, transport)?,
                host,
                port,
                transport,
            }))
        }
        Stage::CallRouter => {
            let server = match resolution {
                Resolution::CallAnswering(c) => Some(c.mailbox_server.clone()),
                _ => {
                    let Some(adm) = resolution.admission() else {
                        return Ok(Routing::Answer);
                    };
                    let org = lookup::organization(dir)?;
                    lookup::exchange_servers(dir, &org)?
                        .into_iter()
                        .find(|s| s.is_mailbox() && s.serves_dial_plan(&adm.dial_plan.dn))
                }
            };
            let dp_name = resolution.admission().map(|a| a.dial_plan.clone());
            let Some(server) = server else {
                return Ok(Routing::Reject(rejection(
                    RejectReason::MailboxServerUnknown,
                    dp_name.as_ref(),
                    format!(
                        "no mailbox server is linked to dial plan {} (msExchUMServerDialPlanLink)",
                        dp_name.as_ref().map_or("?", |d| d.name.as_str())
                    ),
                )));
            };
            let Some(host) = server.fqdn.clone() else {
                return Ok(Routing::Reject(rejection(
                    RejectReason::MailboxServerUnknown,
                    dp_name.as_ref(),
                    format!(
                        "mailbox server {} has no FQDN (networkAddress ncacn_ip_tcp:)",
                        server.name
                    ),
                )));
            };
            let port = ports
                .port(&host, Stage::UmService, transport)
                .unwrap_or_else(|| transport.pick(UM_SERVICE_PORTS));
            Ok(Routing::Redirect(RedirectTarget {
                server: server.name,
                contact: redirect_contact(&call.request_uri, &host, port, transport)?,
                host,
                port,
                transport,
            }))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn contact_keeps_user_and_params_and_swaps_host_port_transport() {
        let c = redirect_contact(
            "sip:LOC801@ex-cas01.contoso.com:5061;transport=tls;ms-fe=pool01",
            "ex-mbx02.contoso.com",
            5063,
            Transport::Tls,
        )
        .unwrap();
        assert_eq!(
            c,
            "sip:LOC801@ex-mbx02.contoso.com:5063;ms-fe=pool01;transport=TLS"
        );
        let c = redirect_contact(
            "sip:+96265515333@10.0.0.1;maddr=10.0.0.1",
            "ex-mbx01.contoso.com",
            5062,
            Transport::Tcp,
        )
        .unwrap();
        assert_eq!(
            c,
            "sip:+96265515333@ex-mbx01.contoso.com:5062;transport=TCP;maddr=ex-mbx01.contoso.com"
        );
    }
}
