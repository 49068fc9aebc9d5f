//! `obsctl doctor`: checks of the whole chain, each explaining what is wrong
//! and what to do.

pub mod alertmanager;
pub mod check;
pub mod classify;
pub mod containers;
pub mod discovered;
pub mod dns;

pub mod files;
pub mod grafana;
pub mod networks;
pub mod probes;
pub mod prometheus;
pub mod remote_write;
pub mod report;
pub mod run;
pub mod services;
pub mod slos;
pub mod targets;
pub mod youth;
