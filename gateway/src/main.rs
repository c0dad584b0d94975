//! The `roomgate` command.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use roomgate::decode::{decode, Format};

#[derive(Parser)]
#[command(
    name = "roomgate",
    version,
    about = "SIP/H.323 interoperability gateway and media bridge"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode one message and print it as JSON; exit 1 with the fault on stderr when it does
    /// not parse and validate.
    Decode {
        /// What the input is.
        #[arg(long = "as", value_enum)]
        format: Format,
        /// The file to read; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
}

/// The largest input `decode` reads; more than any message format we decode allows.
const MAX_DECODE_INPUT: u64 = 1 << 20;

fn read_input(file: Option<&PathBuf>) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::File::open(path)?
                .take(MAX_DECODE_INPUT)
                .read_to_end(&mut buf)?;
        }
        _ => {
            std::io::stdin()
                .take(MAX_DECODE_INPUT)
                .read_to_end(&mut buf)?;
        }
    }
    Ok(buf)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode { format, file } => {
            let input = match read_input(file.as_ref()) {
                Ok(input) => input,
                Err(e) => {
                    eprintln!("roomgate: cannot read input: {e}");
                    return ExitCode::from(2);
                }
            };
            match decode(format, &input) {
                Ok(json) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&json).unwrap_or_default()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("roomgate: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
