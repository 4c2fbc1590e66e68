//! `servicedesk`: parse the command line, then serve (or print the OpenAPI document, seed demo
//! data, back up or restore a data dir).

use std::process::ExitCode;

use api::config::{Cli, Command, Settings};
use api::startup::Application;
use clap::Parser;

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Openapi => match api::openapi::yaml() {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: cannot render the OpenAPI document: {err}");
                ExitCode::FAILURE
            }
        },
        Command::Seed(args) => run_seed(&args),
        Command::Backup(args) => run_backup(&args),
        Command::Restore(args) => run_restore(&args),
        Command::Serve(raw) => {
            api::telemetry::init();
            let settings = match Settings::try_from(raw) {
                Ok(settings) => settings,
                Err(err) => {
                    eprintln!("error: {err}");
                    return ExitCode::from(2);
                }
            };
            let result = actix_web::rt::System::new().block_on(async move {
                let app = Application::build(settings)?;
                tracing::info!(port = app.port(), "Groovoo Service Desk is listening");
                app.run_until_stopped().await?;
                Ok::<_, api::startup::StartupError>(())
            });
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn run_seed(args: &api::config::SeedArgs) -> ExitCode {
    if let Err(err) = std::fs::create_dir_all(&args.data_dir) {
        eprintln!("error: cannot create {}: {err}", args.data_dir.display());
        return ExitCode::FAILURE;
    }
    let path = args.data_dir.join(api::db::DB_FILE);
    match api::seed::seed(
        &path,
        args.tickets,
        args.seed,
        args.bcrypt_cost.clamp(4, 31),
    ) {
        Ok(report) => {
            println!(
                "seeded {} tickets and {} comments in {:.1} s into {} ({} agents; demo agents log in with password `{}`)",
                report.tickets,
                report.comments,
                report.seconds,
                path.display(),
                report.agents,
                api::seed::DEMO_PASSWORD,
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: seeding failed: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run_backup(args: &api::config::BackupArgs) -> ExitCode {
    match api::backup::backup(&args.data_dir, &args.file) {
        Ok(report) => {
            for missing in &report.missing {
                eprintln!("warning: the file of {missing} is missing from the uploads folder");
            }
            println!(
                "backed up {} tickets and {} attachment files to {} ({} bytes)",
                report.tickets,
                report.attachments,
                args.file.display(),
                report.bytes,
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: backup failed: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run_restore(args: &api::config::RestoreArgs) -> ExitCode {
    match api::backup::restore(&args.file, &args.data_dir, args.force) {
        Ok(report) => {
            for missing in &report.missing {
                eprintln!("warning: the backup holds no file for {missing}");
            }
            if let Some(aside) = &report.moved_aside {
                println!(
                    "the previous content of the data dir is now in {}",
                    aside.display()
                );
            }
            println!(
                "restored {} tickets and {} attachment files into {}; integrity check ok",
                report.tickets,
                report.attachments,
                args.data_dir.display(),
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: restore failed: {err}");
            ExitCode::FAILURE
        }
    }
}

/// One glibc malloc arena per core instead of up to eight. glibc gives threads that allocate at
/// the same time arenas of their own, and an arena keeps what is freed into it: the blocking
/// threads take turns with the SQLite connections, whose page caches and query buffers ended up
/// spread over a dozen arenas. With 100k tickets, after the text-search benchmark: 79 MB RSS
/// with the default, 49 MB with this. Called before any other thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets a malloc parameter and takes no pointers; no other thread runs
    // yet. If glibc refuses (returns 0) the default simply stays.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
