//! Unit tests of the stack locks. Every lock here is a real `flock` on a
//! file in a temporary folder: two opens of one file conflict even within
//! one process, as two obsctl processes do.

use super::*;
use crate::error::EXIT_USAGE;

fn holder(command: &str, pid: u32) -> Holder {
    Holder {
        pid,
        command: command.into(),
        stack: "shop".into(),
        dir: Some("/srv/shop/.obsctl".into()),
        since: "2026-01-02T03:04:05+00:00".into(),
    }
}

fn never_waits(_: &Busy, _: Wait) {
    panic!("--no-wait must not wait");
}

#[test]
fn with_no_wait_a_second_run_is_refused_at_once_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = tmp.path().join("stack-shop.lock");
    let first = acquire_paths(
        std::slice::from_ref(&lock),
        &holder("up", 4242),
        Wait::No,
        never_waits,
    )
    .unwrap();
    assert_eq!(first.paths(), [lock.as_path()]);

    let started = Instant::now();
    let err = acquire_paths(
        std::slice::from_ref(&lock),
        &holder("down", 7),
        Wait::No,
        never_waits,
    )
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "it did not wait"
    );
    assert_eq!(err.code(), EXIT_USAGE);
    match &err {
        Error::StackLocked {
            stack,
            holder,
            lock: path,
            waited_secs,
        } => {
            assert_eq!(stack, "shop");
            assert!(
                holder.starts_with("pid 4242 (`obsctl up` of stack `shop`"),
                "{holder}"
            );
            assert_eq!(path, &lock);
            assert_eq!(*waited_secs, None);
        }
        other => panic!("unexpected error: {other:?}"),
    }
    assert!(err.to_string().contains("is busy: pid 4242"), "{err}");
    assert!(err.hint().unwrap().contains("--wait-lock"), "{err:?}");
    // The refused run did not overwrite the holder's record.
    assert_eq!(read_holder(&lock), Some(holder("up", 4242)));
}

#[test]
fn a_waiting_run_gives_up_at_its_bound_and_says_once_whom_it_waited_for() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = tmp.path().join("l");
    let _first = acquire_paths(
        std::slice::from_ref(&lock),
        &holder("smoke", 11),
        Wait::No,
        never_waits,
    )
    .unwrap();
    let mut told = Vec::new();
    let bound = Duration::from_millis(400);
    let started = Instant::now();
    let err = acquire_paths(
        std::slice::from_ref(&lock),
        &holder("up", 12),
        Wait::UpTo(bound),
        |busy, wait| told.push((busy.clone(), wait)),
    )
    .unwrap_err();
    let waited = started.elapsed();
    assert!(waited >= bound, "gave up after {waited:?}");
    assert!(waited < bound + Duration::from_secs(2), "took {waited:?}");
    assert_eq!(
        told,
        [(
            Busy {
                lock: lock.clone(),
                holder: Some(holder("smoke", 11)),
            },
            Wait::UpTo(bound)
        )]
    );
    assert!(
        matches!(
            err,
            Error::StackLocked {
                waited_secs: Some(0),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().ends_with("gave up after waiting 0s"),
        "{err}"
    );
}

#[test]
fn a_waiting_run_goes_on_as_soon_as_the_holder_is_done_and_records_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = tmp.path().join("l");
    let first = acquire_paths(
        std::slice::from_ref(&lock),
        &holder("up", 1),
        Wait::No,
        never_waits,
    )
    .unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(first);
    });
    let started = Instant::now();
    let mut waited_for = None;
    let second = acquire_paths(
        std::slice::from_ref(&lock),
        &holder("down", 2),
        Wait::UpTo(Duration::from_secs(30)),
        |busy, _| waited_for = busy.holder.clone(),
    )
    .unwrap();
    let waited = started.elapsed();
    release.join().unwrap();
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(waited_for, Some(holder("up", 1)));
    assert_eq!(read_holder(&lock), Some(holder("down", 2)));
    drop(second);
}

#[test]
fn the_name_lock_holds_across_directories_and_different_stacks_do_not_wait() {
    let tmp = tempfile::tempdir().unwrap();
    let (d1, d2) = (
        tmp.path().join("a/.obsctl-lock"),
        tmp.path().join("b/.obsctl-lock"),
    );
    std::fs::create_dir_all(d1.parent().unwrap()).unwrap();
    std::fs::create_dir_all(d2.parent().unwrap()).unwrap();
    let (shop, blog) = (
        tmp.path().join(name_file("shop")),
        tmp.path().join(name_file("blog")),
    );

    let _first = acquire_paths(
        &[d1.clone(), shop.clone()],
        &holder("up", 1),
        Wait::No,
        never_waits,
    )
    .unwrap();
    // Same name, other directory: refused on the name's lock.
    let err = acquire_paths(
        &[d2.clone(), shop.clone()],
        &holder("up", 2),
        Wait::No,
        never_waits,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::StackLocked { lock, .. } if *lock == shop),
        "{err:?}"
    );
    // The directory lock it had taken went with the refusal.
    let d2_alone = acquire_paths(
        std::slice::from_ref(&d2),
        &holder("up", 3),
        Wait::No,
        never_waits,
    );
    assert!(d2_alone.is_ok(), "{d2_alone:?}");
    drop(d2_alone);
    // Another name in another directory does not wait.
    acquire_paths(&[d2, blog], &holder("up", 4), Wait::No, never_waits).unwrap();
    // Another name in the same directory does: the files are shared.
    let err = acquire_paths(
        std::slice::from_ref(&d1),
        &holder("up", 5),
        Wait::No,
        never_waits,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::StackLocked { lock, .. } if *lock == d1),
        "{err:?}"
    );
}

#[test]
fn a_holder_that_recorded_nothing_readable_is_another_process() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = tmp.path().join("l");
    std::fs::write(&lock, "{\"pid\": 12").unwrap(); // half written
    let file = open(&lock).unwrap();
    file.try_lock().unwrap();
    let err = acquire_paths(&[lock], &holder("up", 1), Wait::No, never_waits).unwrap_err();
    assert!(
        matches!(&err, Error::StackLocked { holder, .. } if holder == "another process"),
        "{err:?}"
    );
}

#[test]
fn plain_stack_names_name_their_lock_and_others_are_digested_into_one_file_name() {
    assert_eq!(name_file("shop-prod_1.a"), "stack-shop-prod_1.a.lock");
    for odd in ["a/b", "", "../x", "é", &"x".repeat(200)] {
        let file = name_file(odd);
        assert!(
            file.starts_with("stack-") && file.ends_with(".lock"),
            "{file}"
        );
        assert_eq!(file.len(), "stack-.lock".len() + 32, "{file}");
        assert!(!file.contains('/'), "{file}");
    }
    assert_ne!(name_file("a/b"), name_file("a_b"));
    assert_ne!(name_file("a/b"), name_file("a/c"));
}

#[test]
fn the_lock_directory_is_private_and_a_symlink_in_its_place_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let dir = tmp.path().join("obsctl-locks");
    private_dir(&dir, uid).unwrap();
    let meta = fs::symlink_metadata(&dir).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o700);
    private_dir(&dir, uid).unwrap(); // again: it exists, and is ours

    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&dir, &link).unwrap();
    let err = private_dir(&link, uid).unwrap_err();
    assert!(matches!(err, Error::LockDirForeign { .. }), "{err:?}");
    // Owned by someone else: refused, with who owns it.
    let err = private_dir(&dir, uid + 1).unwrap_err();
    assert!(
        matches!(&err, Error::LockDirForeign { owner, .. } if *owner == uid),
        "{err:?}"
    );
    assert!(err.hint().unwrap().contains("remove or rename"), "{err:?}");
}

#[test]
fn acquire_creates_the_stack_directory_and_takes_both_locks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested/.obsctl");
    let stack = format!("lock-unit-{}", std::process::id());
    let held = acquire(&stack, Some(&dir), "up", Wait::No, never_waits).unwrap();
    let paths = held.paths();
    assert_eq!(paths.len(), 2);
    assert_eq!(paths[0], dir.join(DIR_LOCK));
    assert_eq!(paths[1], locks_dir().unwrap().join(name_file(&stack)));
    let me = read_holder(paths[1]).unwrap();
    assert_eq!(
        (me.pid, me.command.as_str(), me.dir.as_deref()),
        (std::process::id(), "up", Some(dir.as_path()))
    );
    // The same stack from nowhere in particular (`down` without a stack
    // directory) is refused on the name's lock.
    let err = acquire(&stack, None, "down", Wait::No, never_waits).unwrap_err();
    assert!(
        matches!(&err, Error::StackLocked { lock, .. } if lock == paths[1]),
        "{err:?}"
    );
}
