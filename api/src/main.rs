//! `servicedesk`: parse the command line, then serve (or print the OpenAPI document).

use std::process::ExitCode;

use api::config::{Cli, Command, Settings};
use api::startup::Application;
use clap::Parser;

fn main() -> ExitCode {
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
