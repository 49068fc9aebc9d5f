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
pub mod prometheus;
pub mod report;
pub mod run;
pub mod services;
pub mod targets;
