//! [`PortMap`]: which SIP port each Exchange component listens on, per server. Exchange's
//! ports are fixed (domain.md B.4.1: call router 5060/5061, UM service 5062/5063, worker
//! 5065/5066) and [`route_target`](super::route_target) uses them; `umctl serve` can run the
//! components on other ports (`--port-offset`, `--ephemeral-ports`), and then the 302 Contact
//! must name the port the target really listens on. [`BoundPorts`] is that registry: server
//! (FQDN or address, case-insensitive) and component -> TCP and TLS ports.
//!
//! It also owns the names both it and the router use: [`Stage`] (which component) and
//! [`Transport`].
//!
//! It holds data only; it binds nothing.

use std::collections::HashMap;
use std::sync::RwLock;

use serde::Serialize;

/// The SIP ports of each component: (TCP, TLS).
pub const CALL_ROUTER_PORTS: (u16, u16) = (5060, 5061);
pub const UM_SERVICE_PORTS: (u16, u16) = (5062, 5063);
/// The first worker process (where a 302 of Exchange's fixed ports points, and what the
/// offline trace names).
pub const WORKER_PORTS: (u16, u16) = (5065, 5066);
/// The second worker process (domain.md B.4.1: two workers, so one can recycle while the
/// other serves; the UM service redirects to either).
pub const SECOND_WORKER_PORTS: (u16, u16) = (5067, 5068);

/// Which Exchange component received the INVITE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The CAS's Microsoft Exchange Unified Messaging Call Router service.
    CallRouter,
    /// The mailbox server's Microsoft Exchange Unified Messaging service.
    UmService,
    /// The UM worker process, which answers.
    Worker,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Tcp,
    Tls,
}

impl Transport {
    pub fn of(secure: bool) -> Transport {
        if secure {
            Transport::Tls
        } else {
            Transport::Tcp
        }
    }
    pub fn param(self) -> &'static str {
        match self {
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
        }
    }
    pub(super) fn pick(self, ports: (u16, u16)) -> u16 {
        match self {
            Transport::Tcp => ports.0,
            Transport::Tls => ports.1,
        }
    }
}

/// Where a component of a server listens.
pub trait PortMap: Send + Sync {
    /// The port of `stage` on `host` (an FQDN or an address) for `transport`, `None` when
    /// this map does not know it (the caller then uses Exchange's port).
    fn port(&self, host: &str, stage: Stage, transport: Transport) -> Option<u16>;
}

/// Exchange's fixed ports: what a real deployment and the offline trace use.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExchangePorts;

impl ExchangePorts {
    /// The (TCP, TLS) ports Exchange uses for `stage`.
    pub fn of(stage: Stage) -> (u16, u16) {
        match stage {
            Stage::CallRouter => CALL_ROUTER_PORTS,
            Stage::UmService => UM_SERVICE_PORTS,
            Stage::Worker => WORKER_PORTS,
        }
    }
}

impl PortMap for ExchangePorts {
    fn port(&self, _host: &str, stage: Stage, transport: Transport) -> Option<u16> {
        let (tcp, tls) = ExchangePorts::of(stage);
        Some(match transport {
            Transport::Tcp => tcp,
            Transport::Tls => tls,
        })
    }
}

/// (lower-case host, component) -> (TCP port, TLS port).
type PortTable = HashMap<(String, Stage), (Option<u16>, Option<u16>)>;

/// The ports `umctl serve` actually bound, filled in as each component starts. A component
/// of another serve process (a server not run here) is on Exchange's port plus the
/// `--port-offset` every node of a deployment shares.
#[derive(Debug, Default)]
pub struct BoundPorts {
    ports: RwLock<PortTable>,
    offset: Option<u16>,
}

impl BoundPorts {
    pub fn new() -> BoundPorts {
        BoundPorts::default()
    }

    /// A registry whose unknown servers listen on Exchange's ports plus `offset`.
    pub fn with_offset(offset: u16) -> BoundPorts {
        BoundPorts {
            ports: RwLock::default(),
            offset: (offset > 0).then_some(offset),
        }
    }

    /// Records that `stage` on the server known as each of `hosts` (its FQDN and its address)
    /// listens on `tcp` and `tls`.
    pub fn insert(&self, hosts: &[&str], stage: Stage, tcp: Option<u16>, tls: Option<u16>) {
        let mut map = match self.ports.write() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        for host in hosts {
            map.insert((host.to_ascii_lowercase(), stage), (tcp, tls));
        }
    }
}

impl PortMap for BoundPorts {
    fn port(&self, host: &str, stage: Stage, transport: Transport) -> Option<u16> {
        let map = match self.ports.read() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let Some((tcp, tls)) = map.get(&(host.to_ascii_lowercase(), stage)) else {
            let exchange = ExchangePorts.port(host, stage, transport)?;
            return self.offset.and_then(|n| exchange.checked_add(n));
        };
        match transport {
            Transport::Tcp => *tcp,
            Transport::Tls => *tls,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn with_an_offset_other_servers_are_on_exchanges_ports_plus_it() {
        let ports = BoundPorts::with_offset(100);
        ports.insert(&["127.0.20.1"], Stage::CallRouter, Some(5160), None);
        assert_eq!(
            ports.port("ex-mbx02.contoso.com", Stage::UmService, Transport::Tcp),
            Some(5162)
        );
        assert_eq!(
            ports.port("127.0.20.12", Stage::Worker, Transport::Tls),
            Some(5166)
        );
        assert_eq!(
            BoundPorts::with_offset(0).port("x", Stage::Worker, Transport::Tcp),
            None
        );
    }

    #[test]
    fn bound_ports_answer_by_fqdn_or_address_and_fall_back_to_none() {
        let ports = BoundPorts::new();
        ports.insert(
            &["EX-MBX02.contoso.com", "127.0.20.12"],
            Stage::UmService,
            Some(40000),
            None,
        );
        assert_eq!(
            ports.port("ex-mbx02.contoso.com", Stage::UmService, Transport::Tcp),
            Some(40000)
        );
        assert_eq!(
            ports.port("127.0.20.12", Stage::UmService, Transport::Tcp),
            Some(40000)
        );
        assert_eq!(
            ports.port("127.0.20.12", Stage::UmService, Transport::Tls),
            None
        );
        assert_eq!(
            ports.port("ex-mbx02.contoso.com", Stage::Worker, Transport::Tcp),
            None
        );
        assert_eq!(
            ExchangePorts.port("x", Stage::Worker, Transport::Tls),
            Some(5066)
        );
    }
}
