//! Local images: checked, pulled when the pull policy says so (a progress bar
//! per layer), and read for what `up` needs (image id, user).

use std::collections::HashMap;

use futures_util::future::join_all;
use futures_util::StreamExt;
use indicatif::ProgressBar;

use super::docker::{Engine, ImageFacts};
use crate::error::Error;
use crate::printer::Progress;

/// When `up` pulls images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullPolicy {
    /// Only images not present locally (the default).
    Missing,
    /// Every image, to pick up a tag that moved.
    Always,
    /// Never: every image must be present locally.
    Never,
}

/// Makes every image in `images` present according to `policy`; returns the
/// facts of each.
pub async fn ensure(
    engine: &Engine,
    images: &[String],
    policy: PullPolicy,
    progress: &Progress,
) -> Result<HashMap<String, ImageFacts>, Error> {
    let mut unique: Vec<&String> = images.iter().collect();
    unique.sort();
    unique.dedup();
    let found = join_all(unique.iter().map(|i| engine.inspect_image(i))).await;
    let mut facts = HashMap::new();
    let mut to_pull = Vec::new();
    for (image, found) in unique.into_iter().zip(found) {
        match (found?, policy) {
            (Some(f), PullPolicy::Missing | PullPolicy::Never) => {
                facts.insert(image.clone(), f);
            }
            (None, PullPolicy::Never) => {
                return Err(Error::ImageMissing {
                    image: image.clone(),
                })
            }
            _ => to_pull.push(image),
        }
    }
    let pulled = join_all(to_pull.iter().map(|i| pull(engine, i, progress))).await;
    for (image, result) in to_pull.into_iter().zip(pulled) {
        result?;
        let f = engine
            .inspect_image(image)
            .await?
            .ok_or_else(|| Error::PullFailed {
                image: image.clone(),
                reason: "the pull finished but the image is not there".into(),
            })?;
        facts.insert(image.clone(), f);
    }
    Ok(facts)
}

async fn pull(engine: &Engine, image: &str, progress: &Progress) -> Result<(), Error> {
    let (repository, tag) = split_reference(image);
    progress.say(format!("pulling {image}"));
    let mut bars: HashMap<String, ProgressBar> = HashMap::new();
    let mut stream = Box::pin(engine.pull(image, &repository, &tag));
    let mut outcome = Ok(());
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(Error::Docker { reason, .. }) => {
                outcome = Err(classify(image, &reason));
                break;
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        };
        let Some(layer) = event.layer.filter(|l| l.len() == 12) else {
            continue;
        };
        let bar = bars
            .entry(layer.clone())
            .or_insert_with(|| progress.bytes(format!("{image} {layer}")));
        if let Some(total) = event.total {
            bar.set_length(total);
        }
        if let Some(current) = event.current {
            bar.set_position(current);
        }
        bar.set_message(event.status);
    }
    for bar in bars.values() {
        bar.finish_and_clear();
    }
    outcome?;
    progress.say(format!("pulled {image}"));
    Ok(())
}

/// Failures that mean no registry answered, as opposed to a registry saying no.
fn classify(image: &str, message: &str) -> Error {
    const OFFLINE: [&str; 9] = [
        "dial tcp",
        "no such host",
        "connection refused",
        "i/o timeout",
        "tls handshake timeout",
        "network is unreachable",
        "client.timeout",
        "server misbehaving",
        "temporary failure in name resolution",
    ];
    let lower = message.to_lowercase();
    if OFFLINE.iter().any(|m| lower.contains(m)) {
        Error::RegistryUnreachable {
            image: image.into(),
            reason: message.into(),
        }
    } else {
        Error::PullFailed {
            image: image.into(),
            reason: message.into(),
        }
    }
}

/// `repo[:tag]` or `repo@digest` split for the pull API. Without a tag the
/// engine would pull every tag, so `latest` is made explicit.
pub fn split_reference(image: &str) -> (String, String) {
    if let Some((repo, digest)) = image.split_once('@') {
        return (repo.into(), digest.into());
    }
    let last_slash = image.rfind('/').map(|i| i + 1).unwrap_or(0);
    match image[last_slash..].rfind(':') {
        Some(i) => (
            image[..last_slash + i].into(),
            image[last_slash + i + 1..].into(),
        ),
        None => (image.into(), "latest".into()),
    }
}

/// The numeric uid an image's `User` names, if obsctl can tell without
/// running it (a number, `root`, `nobody`).
pub fn uid_of(user: &str) -> Option<u32> {
    let name = user.split(':').next().unwrap_or("").trim();
    match name {
        "" | "root" => Some(0),
        "nobody" => Some(65534),
        n => n.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_repository_and_tag() {
        let split = |s: &str| split_reference(s);
        assert_eq!(
            split("prom/prometheus:v3.5.0"),
            ("prom/prometheus".into(), "v3.5.0".into())
        );
        assert_eq!(
            split("registry.local:5000/team/grafana"),
            ("registry.local:5000/team/grafana".into(), "latest".into())
        );
        assert_eq!(
            split("registry.local:5000/grafana:12"),
            ("registry.local:5000/grafana".into(), "12".into())
        );
        assert_eq!(
            split("prom/prometheus@sha256:abc"),
            ("prom/prometheus".into(), "sha256:abc".into())
        );
    }

    #[test]
    fn an_unreachable_registry_is_told_apart_from_a_refusal() {
        let offline = classify(
            "prom/prometheus:v3.5.0",
            "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host",
        );
        assert!(matches!(offline, Error::RegistryUnreachable { .. }));
        assert!(offline.hint().unwrap().contains("--pull never"));
        assert!(offline.to_string().contains("prom/prometheus:v3.5.0"));
        let refused = classify("prom/nope:1", "manifest for prom/nope:1 not found");
        assert!(matches!(refused, Error::PullFailed { .. }));
    }

    #[test]
    fn image_users_resolve_to_uids() {
        assert_eq!(uid_of(""), Some(0));
        assert_eq!(uid_of("nobody"), Some(65534));
        assert_eq!(uid_of("65534:65534"), Some(65534));
        assert_eq!(uid_of("472"), Some(472));
        assert_eq!(uid_of("grafana"), None);
    }
}
