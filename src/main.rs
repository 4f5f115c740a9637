use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use portico::sim;

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "A keyboard-driven console for API-platform tenants"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform simulator.
    Sim {
        #[arg(long, default_value = "127.0.0.1:8044")]
        addr: SocketAddr,
        /// Print a config.toml for the simulated tenants and exit.
        #[arg(long)]
        print_config: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("portico: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Sim { addr, print_config }) => {
            if print_config {
                print!("{}", sim::print_config(&format!("http://{addr}")));
                return ExitCode::SUCCESS;
            }
            rt.block_on(async {
                match sim::start(addr).await {
                    Ok(running) => {
                        eprintln!("portico sim listening on {}", running.base_url());
                        let _ = tokio::signal::ctrl_c().await;
                        ExitCode::SUCCESS
                    }
                    Err(err) => {
                        eprintln!("portico sim: cannot bind {addr}: {err}");
                        ExitCode::FAILURE
                    }
                }
            })
        }
        None => ExitCode::SUCCESS,
    }
}
