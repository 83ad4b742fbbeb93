//! Which Exchange components `umctl serve` runs, where, and on which ports: pure planning from
//! the directory's Exchange server objects (domain.md B.4.1).
//!
//! - A Client Access server runs the **UM Call Router** (TCP 5060, TLS 5061).
//! - A Mailbox server with the Unified Messaging role runs the **UM service** (TCP 5062, TLS
//!   5063) and two **UM worker** processes (TCP 5065 and 5067, TLS 5066 and 5068; Exchange
//!   runs two so one can recycle while the other serves, and its UM service redirects each
//!   call to one of them).
//! - UDP listens on each TCP port too (Exchange has no UDP; SIP test tools use it).
//! - UMStartupMode: `tcp` listens on the TCP (and UDP) ports, `tls` on the TLS ports, `dual`
//!   on both.
//! - Ports: Exchange's, or shifted by an offset, or all ephemeral (port 0; the bound ports
//!   are then known only after binding, and the redirects use those).
//!
//! It binds nothing; `serve::run` does.

use std::net::IpAddr;

use serde::Serialize;

use super::ServeError;
use crate::directory::model::ExchangeServer;
use crate::um::router::{SECOND_WORKER_PORTS, WORKER_PORTS};
use crate::um::{ExchangePorts, Stage};

/// UMStartupMode of the CAS and Mailbox services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StartupMode {
    Tcp,
    Tls,
    Dual,
}

impl StartupMode {
    pub fn tcp(self) -> bool {
        matches!(self, StartupMode::Tcp | StartupMode::Dual)
    }
    pub fn tls(self) -> bool {
        matches!(self, StartupMode::Tls | StartupMode::Dual)
    }
}

/// Which ports to listen on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ports {
    /// Exchange's ports plus this offset (0: Exchange's own).
    Offset(u16),
    /// Port 0 everywhere: the system picks.
    Ephemeral,
}

/// One component of one server: its stage and the ports to bind (0 = ephemeral). The TCP
/// port is used for UDP too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentPlan {
    pub stage: Stage,
    /// Which worker process (1 or 2) for [`Stage::Worker`]; `None` for the other stages.
    pub process: Option<u8>,
    pub tcp: Option<u16>,
    pub tls: Option<u16>,
}

/// The worker processes of a mailbox server, numbered from 1, with Exchange's (TCP, TLS)
/// ports.
pub const WORKER_PROCESSES: [(u8, (u16, u16)); 2] = [(1, WORKER_PORTS), (2, SECOND_WORKER_PORTS)];

/// One Exchange server to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerPlan {
    pub name: String,
    pub fqdn: String,
    pub address: IpAddr,
    pub components: Vec<ComponentPlan>,
}

/// The components `server` runs (none for a server with neither role).
pub fn stages_of(server: &ExchangeServer) -> Vec<Stage> {
    let mut stages = Vec::new();
    if server.is_client_access() {
        stages.push(Stage::CallRouter);
    }
    if server.is_mailbox() && server.is_unified_messaging() {
        stages.push(Stage::UmService);
        stages.push(Stage::Worker);
    }
    stages
}

/// The ports of `stage` (the first worker process for [`Stage::Worker`]) under `mode` and
/// `ports`.
pub fn component(
    stage: Stage,
    mode: StartupMode,
    ports: Ports,
) -> Result<ComponentPlan, ServeError> {
    let mut plan = process(ExchangePorts::of(stage), mode, ports)?;
    plan.stage = stage;
    if stage == Stage::Worker {
        plan.process = Some(1);
    }
    Ok(plan)
}

/// Every component of `stage`: one, or both worker processes.
pub fn components_of(
    stage: Stage,
    mode: StartupMode,
    ports: Ports,
) -> Result<Vec<ComponentPlan>, ServeError> {
    if stage != Stage::Worker {
        return Ok(vec![component(stage, mode, ports)?]);
    }
    WORKER_PROCESSES
        .iter()
        .map(|&(n, base)| {
            Ok(ComponentPlan {
                stage,
                process: Some(n),
                ..process(base, mode, ports)?
            })
        })
        .collect()
}

/// A component on Exchange's `(tcp, tls)` ports, shifted per `ports`.
fn process(
    (tcp, tls): (u16, u16),
    mode: StartupMode,
    ports: Ports,
) -> Result<ComponentPlan, ServeError> {
    let pick = |base: u16| -> Result<u16, ServeError> {
        match ports {
            Ports::Ephemeral => Ok(0),
            Ports::Offset(offset) => base
                .checked_add(offset)
                .ok_or(ServeError::PortOverflow { port: base, offset }),
        }
    };
    Ok(ComponentPlan {
        stage: Stage::CallRouter,
        process: None,
        tcp: if mode.tcp() { Some(pick(tcp)?) } else { None },
        tls: if mode.tls() { Some(pick(tls)?) } else { None },
    })
}

/// The servers to run: every Exchange server with a component (or only `only`, by name,
/// case-insensitive), each on the address `address_of` gives its FQDN.
pub fn plan(
    servers: &[ExchangeServer],
    only: Option<&str>,
    mode: StartupMode,
    ports: Ports,
    address_of: &dyn Fn(&str) -> Result<IpAddr, ServeError>,
) -> Result<Vec<ServerPlan>, ServeError> {
    let chosen: Vec<&ExchangeServer> = match only {
        Some(name) => {
            let found = servers
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| ServeError::NoSuchServer {
                    name: name.to_string(),
                    known: servers.iter().map(|s| s.name.clone()).collect(),
                })?;
            if stages_of(found).is_empty() {
                return Err(ServeError::NoComponents {
                    name: found.name.clone(),
                    roles: found.roles.names().join(", "),
                });
            }
            vec![found]
        }
        None => servers
            .iter()
            .filter(|s| !stages_of(s).is_empty())
            .collect(),
    };
    if chosen.is_empty() {
        return Err(ServeError::NoServers);
    }
    let mut out = Vec::new();
    for server in chosen {
        let fqdn = server
            .fqdn
            .clone()
            .ok_or_else(|| ServeError::NoFqdn {
                name: server.name.clone(),
            })?
            .to_ascii_lowercase();
        let address = address_of(&fqdn)?;
        let mut components = Vec::new();
        for stage in stages_of(server) {
            components.extend(components_of(stage, mode, ports)?);
        }
        out.push(ServerPlan {
            name: server.name.clone(),
            fqdn,
            address,
            components,
        });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ports_follow_mode_and_offset() {
        let c = component(Stage::CallRouter, StartupMode::Dual, Ports::Offset(0)).unwrap();
        assert_eq!((c.tcp, c.tls), (Some(5060), Some(5061)));
        let c = component(Stage::Worker, StartupMode::Tcp, Ports::Offset(1000)).unwrap();
        assert_eq!((c.tcp, c.tls), (Some(6065), None));
        let c = component(Stage::UmService, StartupMode::Tls, Ports::Ephemeral).unwrap();
        assert_eq!((c.tcp, c.tls), (None, Some(0)));
        let err = component(Stage::Worker, StartupMode::Tcp, Ports::Offset(65000)).unwrap_err();
        assert!(err.to_string().contains("5065"), "{err}");
    }

    #[test]
    fn a_mailbox_server_runs_two_worker_processes_and_the_offset_shifts_both() {
        let ports = |stage, mode, offset| {
            components_of(stage, mode, Ports::Offset(offset))
                .unwrap()
                .into_iter()
                .map(|c| (c.process, c.tcp, c.tls))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ports(Stage::Worker, StartupMode::Dual, 0),
            [
                (Some(1), Some(5065), Some(5066)),
                (Some(2), Some(5067), Some(5068))
            ]
        );
        assert_eq!(
            ports(Stage::Worker, StartupMode::Tcp, 20000),
            [(Some(1), Some(25065), None), (Some(2), Some(25067), None)]
        );
        assert_eq!(
            ports(Stage::UmService, StartupMode::Tls, 0),
            [(None, None, Some(5063))]
        );
        let err = components_of(Stage::Worker, StartupMode::Tls, Ports::Offset(60468)).unwrap_err();
        assert!(err.to_string().contains("5068"), "{err}");
    }
}
