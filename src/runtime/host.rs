//! Facts about this host that decide how some exporters are mounted.

use std::collections::BTreeSet;
use std::path::Path;

/// Facts about this host that decide some mounts.
#[derive(Debug, Clone, Default)]
pub struct Host {
    /// `/` is a shared mount, so `rslave` propagation is allowed (Docker
    /// refuses it on a private root).
    pub root_is_shared: bool,
    /// Which of the host paths exporters may mount exist here.
    pub existing: BTreeSet<String>,
}

/// Host paths cAdvisor's upstream instructions mount, as (source, target).
pub(super) const CADVISOR_MOUNTS: [(&str, &str); 5] = [
    ("/", "/rootfs"),
    ("/var/run", "/var/run"),
    ("/sys", "/sys"),
    ("/var/lib/docker", "/var/lib/docker"),
    ("/dev/disk", "/dev/disk"),
];

impl Host {
    /// Reads the facts from `/proc/self/mountinfo` and the file system.
    pub fn detect() -> Host {
        let root_is_shared = std::fs::read_to_string("/proc/self/mountinfo")
            .map(|text| root_is_shared(&text))
            .unwrap_or(false);
        let existing = CADVISOR_MOUNTS
            .iter()
            .map(|(source, _)| *source)
            .chain(["/dev/kmsg"])
            .filter(|p| Path::new(p).exists())
            .map(str::to_string)
            .collect();
        Host {
            root_is_shared,
            existing,
        }
    }
}

/// True when the mount at `/` carries a `shared:` or `master:` tag.
fn root_is_shared(mountinfo: &str) -> bool {
    mountinfo.lines().any(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        let optional = fields.iter().skip(6).take_while(|f| **f != "-");
        fields.get(4) == Some(&"/")
            && optional
                .clone()
                .any(|f| f.starts_with("shared:") || f.starts_with("master:"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_root_is_read_from_mountinfo() {
        let shared = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
        let private = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n";
        assert!(root_is_shared(shared));
        assert!(!root_is_shared(private));
    }
}
