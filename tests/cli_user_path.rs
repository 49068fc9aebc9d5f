//! What a person reads on the way in, without Docker: `init` (with `--yes`,
//! and answering its prompts on a terminal), and the first errors a new user
//! meets (an invalid spec, no Docker engine). Each snapshot holds the exit
//! code, stdout and stderr as printed. The same path with a running stack is
//! in tests/e2e_user_path.rs.

mod support;

use std::process::Command;

use rexpect::session::spawn_command;
use support::{Output, Test};

/// Exit code, stdout and stderr, as one text to snapshot.
fn transcript(out: &Output) -> String {
    format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.code, out.stdout, out.stderr
    )
}

#[test]
fn init_yes_writes_the_default_spec_and_says_what_comes_next() {
    let mut t = Test::new();
    let out = t.args(&["init", "--yes"]).run();
    insta::with_settings!({filters => vec![
        // The stack is named after the (temporary) folder.
        (r"stack `[^`]+`", "stack `[FOLDER]`"),
    ]}, {
        insta::assert_snapshot!(transcript(&out));
    });
    out.code(0);
    assert!(t.path("obsctl.yaml").is_file());
}

#[test]
fn init_on_a_terminal_reads_as_a_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_obsctl"));
    cmd.arg("init")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();
    let mut screen = String::new();
    // The keys of tests/cli_init_interactive.rs, each sent once its prompt
    // shows.
    let mut answer = |p: &mut rexpect::session::PtySession, prompt: &str, keys: &str| {
        let before = p.exp_string(prompt).unwrap();
        screen.push_str(&before);
        screen.push_str(prompt);
        if keys.starts_with('\x1b') {
            p.send(keys).unwrap();
            p.send_line("").unwrap();
        } else {
            p.send_line(keys).unwrap();
        }
    };
    answer(&mut p, "Stack name", "shop");
    answer(&mut p, "Start from", "");
    answer(&mut p, "Look at the containers running here", "n");
    answer(&mut p, "Add a service of yours to scrape?", "y");
    answer(&mut p, "job name", "api");
    answer(&mut p, "address", "");
    answer(&mut p, "metrics path", "");
    answer(&mut p, "Add a service of yours to scrape?", "n");
    answer(&mut p, "Rule packs", "");
    answer(&mut p, "Where should alerts go", "\x1b[B\x1b[B"); // down twice: Slack
    screen.push_str(&p.exp_eof().unwrap());
    let status = p.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{status:?}\n{screen}"
    );
    // What the terminal shows, each redraw of a prompt on a line of its
    // own: control sequences (cursor moves, line clearing) and carriage
    // returns end a line; the default stack name is the temporary folder's.
    insta::with_settings!({filters => vec![
        (r"\x1b\[[0-9;?]*[A-Za-z]", "\n"),
        (r"\r", "\n"),
        (r" +\n", "\n"),
        (r"\n+", "\n"),
        (r"\[tmp[^\]]*\]", "[FOLDER]"),
    ]}, {
        insta::assert_snapshot!(format!("exit code: 0\n{screen}"));
    });
    assert!(dir.path().join("obsctl.yaml").is_file());
}

#[test]
fn an_invalid_spec_stops_up_with_every_problem_located_and_exit_2() {
    let mut t = Test::new().file(
        "obsctl.yaml",
        "name: shop\nprometheus:\n  retention: 15 days\nalertmanager:\n  route:\n    receiver: pager\n  receivers:\n    - name: team\n      webhook: {url: 'http://hooks.invalid/x'}\n",
    );
    let out = t.args(&["up", "--pull", "never"]).run();
    insta::assert_snapshot!(transcript(&out));
    out.code(2);
    assert!(!t.path(".obsctl").exists(), "nothing is rendered");
}

#[test]
fn a_spec_that_is_not_yaml_names_the_line_and_exits_2() {
    let mut t = Test::new().file("obsctl.yaml", "name: shop\nprometheus:\n  port: [9090\n");
    let out = t.args(&["up", "--pull", "never"]).run();
    insta::assert_snapshot!(transcript(&out));
    out.code(2);
}

#[test]
fn without_a_docker_engine_up_names_the_socket_and_exits_2() {
    let mut t = Test::new().env("DOCKER_HOST", "unix:///nonexistent/obsctl-test.sock");
    let out = t.args(&["up", "--pull", "never"]).run();
    insta::assert_snapshot!(transcript(&out));
    out.code(2);
}
