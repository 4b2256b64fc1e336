//! `galvana-gateway`: serve the API, and administer users, tokens, projects and accounting.

use clap::{Parser, Subcommand};
use galvana_gateway::auth::Role;
use galvana_gateway::config::Config;
use galvana_gateway::{admin, poller, AppState};
use std::io::Read;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "galvana-gateway",
    version,
    about = "Galvana's cluster gateway: REST API, residual streams, quotas and billing"
)]
struct Cli {
    /// Configuration file (default: DATA_DIR/gateway.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (database, job directories); default `$GALVANA_GATEWAY_DATA` or `./galvana-gateway-data`.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the API (and run the scheduler poller).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the configuration).
        #[arg(long)]
        listen: Option<String>,
        /// Scheduler backend: slurm, rest or local (overrides the configuration).
        #[arg(long)]
        backend: Option<String>,
    },
    /// Users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Create an API token for a user and print it (shown once).
    Token {
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Revoke every token of the user instead.
        #[arg(long)]
        revoke: bool,
    },
    /// Projects and members.
    Project {
        #[command(subcommand)]
        cmd: ProjectCmd,
    },
    /// Credit a project (a negative ledger entry).
    Credit {
        project: String,
        credits: f64,
        #[arg(long)]
        note: String,
    },
    /// Import accounting for every ended job into the ledger (idempotent).
    ImportAccounting,
    /// Poll the scheduler once for every active or unsettled job.
    PollOnce,
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; with --password-stdin the first line of stdin is its portal password.
    Add {
        name: String,
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum ProjectCmd {
    /// Add a project.
    Add {
        name: String,
        #[arg(long)]
        plan: Option<String>,
        #[arg(long)]
        owner: Option<String>,
    },
    /// Add a member or change their role (owner, member, viewer).
    Member {
        project: String,
        user: String,
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Change a project's plan.
    Plan { project: String, plan: String },
    /// Projects with their plans and members.
    List,
}

fn load_config(cli: &Cli) -> Result<Config, String> {
    let data = cli
        .data_dir
        .clone()
        .or_else(|| std::env::var_os("GALVANA_GATEWAY_DATA").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("galvana-gateway-data"));
    let path = cli
        .config
        .clone()
        .unwrap_or_else(|| data.join("gateway.toml"));
    let mut c = Config::load(&path)?;
    if cli.data_dir.is_some() || cli.config.is_none() {
        c.data_dir = data;
    }
    c.data_dir = std::path::absolute(&c.data_dir).map_err(|e| e.to_string())?;
    Ok(c)
}

fn main() {
    if let Some(code) = galvana_scheduler::cli::dispatch_local_runner() {
        std::process::exit(code);
    }
    let cli = Cli::parse();
    let code = match real_main(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("galvana-gateway: error: {e}");
            1
        }
    };
    std::process::exit(code);
}

fn real_main(cli: Cli) -> Result<(), String> {
    let mut config = load_config(&cli)?;
    if let Cmd::Serve { listen, backend } = &cli.cmd {
        if let Some(l) = listen {
            config.listen = l.clone();
        }
        if let Some(b) = backend {
            config.backend = b.clone();
        }
    }
    galvana_gateway::scheduler_env(&config);
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let st = AppState::open(config).await?;
        match cli.cmd {
            Cmd::Serve { .. } => galvana_gateway::serve(st).await,
            Cmd::User {
                cmd:
                    UserCmd::Add {
                        name,
                        admin,
                        password_stdin,
                    },
            } => {
                let pw = if password_stdin {
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .map_err(|e| e.to_string())?;
                    Some(s.lines().next().unwrap_or("").to_string())
                } else {
                    None
                };
                admin::add_user(&st, &name, pw.as_deref(), admin).await?;
                println!("user {name} added");
                Ok(())
            }
            Cmd::Token {
                user,
                label,
                revoke,
            } => {
                if revoke {
                    let n = admin::revoke_tokens(&st, &user).await?;
                    println!("revoked {n} token(s) of {user}");
                } else {
                    println!("{}", admin::new_token(&st, &user, &label).await?);
                }
                Ok(())
            }
            Cmd::Project { cmd } => match cmd {
                ProjectCmd::Add { name, plan, owner } => {
                    let id =
                        admin::add_project(&st, &name, plan.as_deref(), owner.as_deref()).await?;
                    println!("project {name} added (id {id})");
                    Ok(())
                }
                ProjectCmd::Member {
                    project,
                    user,
                    role,
                } => {
                    let r = Role::parse(&role).ok_or_else(|| {
                        format!("role must be owner, member or viewer, not `{role}`")
                    })?;
                    admin::set_member(&st, &project, &user, r).await?;
                    println!("{user} is {role} of {project}");
                    Ok(())
                }
                ProjectCmd::Plan { project, plan } => admin::set_plan(&st, &project, &plan).await,
                ProjectCmd::List => {
                    print!("{}", admin::list_projects(&st).await?);
                    Ok(())
                }
            },
            Cmd::Credit {
                project,
                credits,
                note,
            } => admin::credit(&st, &project, credits, &note).await,
            Cmd::ImportAccounting => {
                let n = poller::import_all(&st).await.map_err(|e| e.message)?;
                println!("{n} new accounting record(s) charged");
                Ok(())
            }
            Cmd::PollOnce => poller::poll_once(&st).await.map_err(|e| e.message),
            Cmd::Openapi => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&galvana_gateway::openapi::document())
                        .unwrap_or_default()
                );
                Ok(())
            }
        }
    })
}
