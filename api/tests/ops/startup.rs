//! A data dir the server cannot write stops start-up with one readable line naming it, and a
//! non-zero exit status; no panic, no backtrace, no server that fails every write later.
//!
//! Read-only for real: the tests run as root, which ignores permission bits, so the server is
//! started as `nobody` (uid 65534) on a data dir of mode 0555, the situation of a service user
//! that does not own its data dir. The kernel refuses its writes with EACCES, as it would on a
//! read-only mount.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;

use crate::support::{JWT_SECRET, command, finish, printed, run};

const NOBODY: u32 = 65_534;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Starts `servicedesk serve` on `data_dir` (as `nobody` if `as_nobody` and we are root) and
/// returns its exit status and stderr; a server that keeps running fails the test.
fn serve(binary: &Path, data_dir: &Path, as_nobody: bool) -> (std::process::ExitStatus, String) {
    let mut serve = command(binary);
    serve
        .arg("serve")
        .arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--data-dir")
        .arg(data_dir)
        .env("DESK_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if as_nobody && nix::unistd::geteuid().is_root() {
        serve.uid(NOBODY).gid(NOBODY);
    }
    let output = finish(serve.spawn().expect("servicedesk starts"));
    (output.status, printed(&output).1)
}

/// Asserts a refused start-up: non-zero status, one line on stderr saying `what`.
fn assert_refused(status: std::process::ExitStatus, stderr: &str, what: &[&str]) {
    assert!(!status.success(), "the server started; stderr:\n{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line:\n{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for part in what {
        assert!(stderr.contains(part), "`{part}` missing from:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn a_read_only_data_dir_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    chmod(dir.path(), 0o755);
    let data = dir.path().join("data");
    let seeded = run([
        "seed".as_ref(),
        "--tickets".as_ref(),
        "3".as_ref(),
        "--bcrypt-cost".as_ref(),
        "4".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ])
    .await;
    assert!(seeded.status.success(), "{}", printed(&seeded).1);
    // `nobody` may not be able to reach the build folder: give it a link to the binary (a copy
    // when the temporary folder is on another file system).
    let binary = dir.path().join("servicedesk");
    let built = Path::new(env!("CARGO_BIN_EXE_servicedesk"));
    if std::fs::hard_link(built, &binary).is_err() {
        std::fs::copy(built, &binary).expect("copy the binary");
        chmod(&binary, 0o755);
    }
    let before = std::fs::read(data.join("service_desk.db")).expect("the database");
    chmod(&data, 0o555);

    let (status, stderr) = tokio::task::spawn_blocking(move || serve(&binary, &data, true))
        .await
        .expect("ran");
    let data = dir.path().join("data");
    assert_refused(
        status,
        &stderr,
        &[
            &data.display().to_string(),
            "not writable",
            "Permission denied",
        ],
    );
    assert_eq!(
        std::fs::read(data.join("service_desk.db")).expect("the database"),
        before,
        "the database is untouched"
    );
    chmod(&data, 0o755);
}

#[test]
fn a_data_dir_that_is_a_file_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    std::fs::write(&data, "not a folder").expect("a file");
    let (status, stderr) = serve(Path::new(env!("CARGO_BIN_EXE_servicedesk")), &data, false);
    assert_refused(
        status,
        &stderr,
        &["cannot use the data directory", &data.display().to_string()],
    );
}
