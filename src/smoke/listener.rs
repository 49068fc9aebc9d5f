//! A one-shot webhook listener for `obsctl smoke --alert`: it stands in for a
//! webhook receiver on this machine (`http://host.docker.internal:PORT/...`
//! in the spec), so smoke can prove Alertmanager really delivered the
//! synthetic alert, not only that it routed it.
//!
//! It listens on every interface because Alertmanager reaches the host
//! through Docker's bridge gateway, and only for the duration of the run.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The largest request body accepted (an Alertmanager notification is small).
const MAX_BODY: usize = 1 << 20;

/// A listener waiting for a POST whose body contains `marker`.
pub struct Listener {
    pub port: u16,
    received: oneshot::Receiver<()>,
}

impl Listener {
    /// Binds `0.0.0.0:port` and serves until a request carrying `marker` came.
    pub async fn start(port: u16, marker: String) -> std::io::Result<Listener> {
        let listener = TcpListener::bind(("0.0.0.0", port)).await?;
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let mut tx = Some(tx);
            while let Ok((mut stream, _)) = listener.accept().await {
                let body = read_request(&mut stream).await.unwrap_or_default();
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
                if body.contains(&marker) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(());
                    }
                    return;
                }
            }
        });
        Ok(Listener { port, received: rx })
    }

    /// True if the notification arrived within `limit`.
    pub async fn wait(self, limit: Duration) -> bool {
        matches!(tokio::time::timeout(limit, self.received).await, Ok(Ok(())))
    }
}

/// Reads one HTTP request and returns its body (lossy UTF-8).
async fn read_request(stream: &mut tokio::net::TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0)
                .min(MAX_BODY);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(String::from_utf8_lossy(&buf[end + 4..]).into_owned());
        }
        if buf.len() > MAX_BODY {
            break;
        }
    }
    Ok(String::new())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The port of a webhook URL that points at this machine from inside the
/// stack (`http://host.docker.internal:PORT/...`).
pub fn host_port(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("http://")?;
    let authority = rest.split('/').next()?;
    let (host, port) = authority.rsplit_once(':')?;
    (host == "host.docker.internal")
        .then(|| port.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_host_webhooks_are_listened_for() {
        assert_eq!(
            host_port("http://host.docker.internal:9099/hook"),
            Some(9099)
        );
        assert_eq!(host_port("http://hooks.internal:8080/alert"), None);
        assert_eq!(host_port("https://host.docker.internal:9099/hook"), None);
    }

    #[tokio::test]
    async fn a_post_carrying_the_marker_is_received() {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let listener = Listener::start(port, "run-42".into()).await.unwrap();
        let body = r#"{"alerts":[{"labels":{"smoke_run":"run-42"}}]}"#;
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        s.write_all(
            format!(
                "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        assert!(listener.wait(Duration::from_secs(5)).await);
    }
}
