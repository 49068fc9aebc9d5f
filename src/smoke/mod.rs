//! `obsctl smoke`: the CI step. Brings the stack up, waits until every
//! target was scraped, runs doctor, optionally fires a synthetic alert, writes
//! JUnit/JSON, and tears down what it created.

pub mod alert;
pub mod junit;
pub mod listener;
