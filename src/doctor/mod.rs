//! `obsctl doctor`: checks of the whole chain, each explaining what is wrong
//! and what to do.

pub mod classify;
