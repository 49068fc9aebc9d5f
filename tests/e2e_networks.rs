//! The stack meets the application where it runs, on the real Docker engine
//! with Compose 1.29: it joins the application's network (`networks:`),
//! scrapes its services by name, leaves the application and its network alone
//! on `down`, and finds it again when the application is recreated.
//!
//! The tests are `#[ignore]`d: `cargo test -- --include-ignored` (as
//! scripts/test.sh does) runs them, and without a Docker engine they then fail.

#[path = "e2e_support/mod.rs"]
mod support;

use support::compose::Container;
use support::{docker, require_engine, stdout, Stack};

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn down_volumes_with_a_foreign_container_on_the_stack_network_exits_0_and_removes_the_volumes() {
    require_engine();
    let stack = Stack::new("foreign-endpoint");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let network = format!("{}-net", stack.name);
    // The application joined the stack's network, as obsctl used to ask.
    let app = Container::run(
        &format!("{}-app", stack.name),
        &["--network", &network, &stack.images.app],
    );

    let down = stack.obsctl(&["down", "--volumes"]);
    let stderr = String::from_utf8_lossy(&down.stderr);
    assert!(down.status.success(), "down failed: {stderr}");
    assert!(stack.labelled("container").is_empty());
    assert!(
        stack.labelled("volume").is_empty(),
        "the volumes must go as asked"
    );
    assert!(app.running(), "the foreign container was stopped");
    assert_eq!(app.networks(), [network.as_str()], "it was detached");
    // The network stays while someone else uses it, and down says so.
    assert_eq!(stack.labelled("network"), [network.as_str()]);
    assert!(
        stderr.contains(&network) && stderr.contains(&app.0),
        "{stderr}"
    );

    app.remove();
    let again = stack.obsctl(&["down"]);
    assert!(again.status.success());
    assert!(stack.labelled("network").is_empty(), "{}", stdout(&again));
    assert!(!docker(&["network", "inspect", &network]).status.success());
}
