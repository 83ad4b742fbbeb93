//! The lab's hosts table: every pool, Exchange server and gateway FQDN in the lab gets its own
//! loopback address (127.0.0.0/8), so `serve` can run each server's roles on the address that
//! server has, and a call's source address tells which gateway sent it. The file uses the
//! /etc/hosts format, so it can be appended to /etc/hosts or read by people.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use serde::Serialize;

use crate::directory::Entry;

/// One line of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Host {
    pub address: Ipv4Addr,
    pub fqdn: String,
}

/// FQDN to loopback address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HostsTable {
    hosts: Vec<Host>,
}

/// Where newly assigned addresses start: clear of 127.0.0.1 and Debian's 127.0.1.1.
const FIRST_ASSIGNED: Ipv4Addr = Ipv4Addr::new(127, 0, 10, 1);

impl HostsTable {
    /// Parses /etc/hosts syntax: `address name [aliases...]`, `#` comments. Only loopback
    /// IPv4 addresses are accepted, so a lab can never point umctl at another machine.
    pub fn parse(text: &str) -> Result<HostsTable, String> {
        let mut hosts = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (Some(addr), Some(name)) = (parts.next(), parts.next()) else {
                return Err(format!(
                    "line {}: expected 'address fqdn', got '{}'",
                    i + 1,
                    raw.trim()
                ));
            };
            let address: Ipv4Addr = addr
                .parse()
                .map_err(|_| format!("line {}: '{addr}' is not an IPv4 address", i + 1))?;
            if !address.is_loopback() {
                return Err(format!(
                    "line {}: {address} for {name} is not a loopback address (expected 127.0.0.0/8)",
                    i + 1
                ));
            }
            hosts.push(Host {
                address,
                fqdn: name.to_ascii_lowercase(),
            });
        }
        Ok(HostsTable { hosts })
    }

    pub fn render(&self) -> String {
        let mut out =
            String::from("# umctl lab hosts: one loopback address per lab server and pool FQDN\n");
        for h in &self.hosts {
            out.push_str(&format!("{:<15} {}\n", h.address, h.fqdn));
        }
        out
    }

    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    pub fn lookup(&self, fqdn: &str) -> Option<Ipv4Addr> {
        self.hosts
            .iter()
            .find(|h| h.fqdn.eq_ignore_ascii_case(fqdn))
            .map(|h| h.address)
    }

    /// The FQDN an address belongs to (reverse lookup, to name a call's source).
    pub fn name_of(&self, address: Ipv4Addr) -> Option<&str> {
        self.hosts
            .iter()
            .find(|h| h.address == address)
            .map(|h| h.fqdn.as_str())
    }

    /// Gives each FQDN that has no address yet the next free one; returns the new lines.
    pub fn assign<'a>(&mut self, fqdns: impl IntoIterator<Item = &'a str>) -> Vec<Host> {
        let mut used: BTreeSet<u32> = self.hosts.iter().map(|h| u32::from(h.address)).collect();
        let mut next = u32::from(FIRST_ASSIGNED);
        let mut added = Vec::new();
        for fqdn in fqdns {
            if self.lookup(fqdn).is_some() {
                continue;
            }
            while used.contains(&next) || next & 0xff == 0 || next & 0xff == 0xff {
                next += 1;
            }
            let host = Host {
                address: Ipv4Addr::from(next),
                fqdn: fqdn.to_ascii_lowercase(),
            };
            used.insert(next);
            self.hosts.push(host.clone());
            added.push(host);
        }
        added
    }
}

/// The FQDNs an entry names that need a lab address: pools' and servers' `dNSHostName`,
/// Exchange servers' `ncacn_ip_tcp:` network address, gateway addresses that are names.
pub fn fqdns_of(entry: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(entry.str_values("dNSHostName").map(str::to_string));
    out.extend(
        entry
            .str_values("networkAddress")
            .filter_map(|v| v.strip_prefix("ncacn_ip_tcp:"))
            .map(str::to_string),
    );
    out.extend(
        entry
            .str_values("msExchUMIPGatewayAddress")
            .filter(|v| v.parse::<std::net::IpAddr>().is_err())
            .map(str::to_string),
    );
    out.retain(|f| f.contains('.'));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parse_render_roundtrip() {
        let t = HostsTable::parse(
            "# lab\n127.0.10.1 pool01.contoso.com\n127.0.10.2\tEX01.contoso.com # cas\n",
        )
        .unwrap();
        assert_eq!(
            t.lookup("POOL01.contoso.com"),
            Some(Ipv4Addr::new(127, 0, 10, 1))
        );
        assert_eq!(
            t.name_of(Ipv4Addr::new(127, 0, 10, 2)),
            Some("ex01.contoso.com")
        );
        assert_eq!(HostsTable::parse(&t.render()).unwrap(), t);
    }

    #[test]
    fn rejects_non_loopback() {
        let err = HostsTable::parse("10.0.0.5 pool01.contoso.com\n").unwrap_err();
        assert!(
            err.contains("10.0.0.5") && err.contains("loopback"),
            "{err}"
        );
        let err = HostsTable::parse("127.0.0.5\n").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn assigns_free_addresses() {
        let mut t = HostsTable::parse("127.0.10.1 a.contoso.com\n").unwrap();
        let added = t.assign(["a.contoso.com", "b.contoso.com", "c.contoso.com"]);
        assert_eq!(added.len(), 2);
        assert_eq!(added[0].address, Ipv4Addr::new(127, 0, 10, 2));
        assert_eq!(added[1].address, Ipv4Addr::new(127, 0, 10, 3));
    }
}
