//! `obsctl dashboards ...`: dashboard files checked offline (`lint`), and the
//! dashboards of a Grafana through its HTTP API (`import`, `export`, `list`).

mod export;
mod import;
mod lint;
mod list;

pub use export::run as export;
pub use import::run as import;
pub use lint::lint;
pub use list::run as list;
