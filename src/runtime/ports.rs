//! Host ports: is each port the stack publishes free, and if not, who holds
//! it (a container, found by its published ports, or a process, found through
//! `/proc/net/tcp*` and `/proc/*/fd` when readable).

use std::net::{IpAddr, SocketAddr, TcpListener};

use super::docker::Engine;
use super::plan::Observed;
use super::services::Desired;
use crate::error::{Error, PortTaken};

/// Every published port of `desired` that is in use by something other than
/// the stack's own container for that service.
pub async fn taken(
    engine: &Engine,
    desired: &Desired,
    observed: &Observed,
) -> Result<Vec<PortTaken>, Error> {
    let mut out = Vec::new();
    for service in &desired.services {
        for port in &service.def.ports {
            // A port the stack itself publishes is released when its container
            // is replaced, so only foreign holders count.
            let ours = observed
                .containers
                .iter()
                .any(|c| c.ports.iter().any(|p| p.host_port == port.host_port));
            if ours {
                continue;
            }
            let ip: IpAddr = port.host_ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]));
            if is_free(ip, port.host_port)
                || held_by_own_stopped(engine, observed, port.host_port).await?
            {
                continue;
            }
            let holder = match engine.publishers_of(port.host_port).await?.first() {
                Some((name, Some(stack))) => Some(format!("container {name} (stack `{stack}`)")),
                Some((name, None)) => Some(format!("container {name}")),
                None => process_holding(port.host_port),
            };
            out.push(PortTaken {
                port: port.host_port,
                service: service.service,
                holder,
            });
        }
    }
    Ok(out)
}

/// True when one of the stack's own containers that is not running (e.g.
/// restarting, whose port proxies stay up) is configured with `port`.
async fn held_by_own_stopped(
    engine: &Engine,
    observed: &Observed,
    port: u16,
) -> Result<bool, Error> {
    for c in observed.containers.iter().filter(|c| !c.running()) {
        if engine.configured_host_ports(&c.id).await?.contains(&port) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// True when a listener can bind `ip:port` right now.
pub fn is_free(ip: IpAddr, port: u16) -> bool {
    TcpListener::bind(SocketAddr::new(ip, port)).is_ok()
}

/// "process 1234 (python3)" for the process listening on TCP `port`.
pub fn process_holding(port: u16) -> Option<String> {
    let inode = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .find_map(|table| listening_inode(&table, port))?;
    let wanted = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let pid = entry.file_name().to_string_lossy().to_string();
        if !pid.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == wanted.as_str())
        });
        if holds {
            let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            return Some(format!("process {pid} ({})", comm.trim()));
        }
    }
    None
}

/// The inode of the socket listening on `port` in a `/proc/net/tcp` table.
fn listening_inode(table: &str, port: u16) -> Option<String> {
    const LISTEN: &str = "0A";
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let local = fields.get(1)?;
        let local_port = u16::from_str_radix(local.rsplit(':').next()?, 16).ok()?;
        (local_port == port && fields.get(3) == Some(&LISTEN))
            .then(|| fields.get(9).map(|s| s.to_string()))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40123 1 0000000000000000 100 0 0 10 0
   1: 0100007F:2382 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 40999 1 0000000000000000 20 4 30 10 -1
";

    #[test]
    fn the_listening_socket_of_a_port_is_found_in_the_table() {
        assert_eq!(listening_inode(TABLE, 9090), Some("40123".into()));
        assert_eq!(listening_inode(TABLE, 9091), None);
    }

    #[test]
    fn a_bound_port_is_seen_as_taken_with_this_process_as_holder() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(!is_free(IpAddr::from([127, 0, 0, 1]), port));
        let holder = process_holding(port).expect("our own socket is readable");
        assert!(holder.contains(&std::process::id().to_string()), "{holder}");
        drop(listener);
        assert!(is_free(IpAddr::from([127, 0, 0, 1]), port));
    }
}
