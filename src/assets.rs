//! Files compiled into the binary: templates, rule packs and dashboards.

use rust_embed::Embed;

#[derive(Embed)]
#[folder = "templates/"]
pub struct Templates;

#[derive(Embed)]
#[folder = "rules/"]
pub struct RulePacks;

#[derive(Embed)]
#[folder = "dashboards/"]
pub struct Dashboards;

/// The text of an embedded file; the names are fixed at build time, so a
/// missing one is a packaging bug.
pub fn text<E: Embed>(name: &str) -> String {
    let file = E::get(name).unwrap_or_else(|| panic!("embedded file {name} is missing"));
    String::from_utf8(file.data.into_owned())
        .unwrap_or_else(|_| panic!("embedded file {name} is not UTF-8"))
}
