//! A real `galvana-gateway` process on loopback, with its own data directory, administered
//! through its command line, and an HTTP client for it.
#![allow(dead_code)]

pub mod pg;

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn gateway_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_galvana-gateway"))
}

/// The real `galvana` binary of this profile (built with `cargo build -p galvana-engine` when
/// missing).
pub fn galvana() -> PathBuf {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let exe = gateway_exe().parent().unwrap().join("galvana");
    ONCE.call_once(|| {
        if exe.is_file() {
            return;
        }
        let release = exe.components().any(|c| c.as_os_str() == "release");
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(["build", "-p", "galvana-engine"])
            .current_dir(workspace());
        if release {
            cmd.arg("--release");
        }
        assert!(
            cmd.status().unwrap().success(),
            "cargo build -p galvana-engine failed"
        );
    });
    exe
}

pub fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("galvana-gateway")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The thermal-link example with another end time, rank count and walltime.
pub fn deck(end: f64, ranks: u32, walltime: &str) -> String {
    let text = std::fs::read_to_string(
        workspace().join("input-decks/examples/thermal_link_cooldown.toml"),
    )
    .unwrap();
    let out = text
        .replace("end = 7200.0", &format!("end = {end:?}"))
        .replace("ranks = 2", &format!("ranks = {ranks}"))
        .replace(
            "walltime = \"00:10:00\"",
            &format!("walltime = \"{walltime}\""),
        );
    assert!(out.contains(&format!("ranks = {ranks}")) && out.contains(walltime));
    out
}

pub struct Gateway {
    pub url: String,
    pub data: PathBuf,
    /// PostgreSQL URL, when testing on PostgreSQL.
    pub db_url: Option<String>,
    child: Child,
    pub http: Client,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        unsafe {
            libc_kill(self.child.id() as i32, 15);
        }
        let _ = self.child.wait();
    }
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

impl Gateway {
    /// Start a gateway on `backend` with `config` appended to a test configuration (poll every
    /// 0.3 s; plans `free`, `researcher`, `team` and `tiny`).
    pub fn start(name: &str, backend: &str, config: &str, env: &[(&str, String)]) -> Gateway {
        let data = tmp(name);
        std::fs::write(
            data.join("gateway.toml"),
            format!(
                "backend = \"{backend}\"\npoll_interval_s = 0.3\ngalvana_bin = \"{}\"\n{config}\n",
                galvana().display()
            ),
        )
        .unwrap();
        let db_url = pg::fresh_database(name);
        let mut cmd = Command::new(gateway_exe());
        cmd.args([
            "--data-dir",
            data.to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("DATABASE_URL")
        .env("GALVANA_LOCAL_CORES", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(u) = &db_url {
            cmd.env("DATABASE_URL", u);
        }
        let mut child = cmd.spawn().expect("start galvana-gateway");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = data.join("gateway.log");
        std::thread::spawn(move || {
            let mut f = std::fs::File::create(log).unwrap();
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                use std::io::Write;
                let _ = writeln!(f, "{line}");
                if !sent {
                    if let Some(a) = line.split("listening on ").nth(1) {
                        let _ = tx.send(a.split_whitespace().next().unwrap().to_string());
                        sent = true;
                    }
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                panic!(
                    "gateway did not start; see {}",
                    data.join("gateway.log").display()
                )
            });
        Gateway {
            url,
            data,
            db_url,
            child,
            // No overall deadline (residual streams last as long as their job; the tests bound
            // their waits themselves); a stalled connection still fails.
            http: Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .read_timeout(Duration::from_secs(300))
                .build()
                .unwrap(),
        }
    }

    /// Run an administration command against this gateway's data directory.
    pub fn admin(&self, args: &[&str]) -> String {
        let o = Command::new(gateway_exe())
            .args(["--data-dir", self.data.to_str().unwrap()])
            .args(args)
            .env_remove("DATABASE_URL")
            .envs(self.db_url.iter().map(|u| ("DATABASE_URL", u)))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "galvana-gateway {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    pub fn user(&self, name: &str) -> String {
        self.admin(&["user", "add", name]);
        self.admin(&["token", name]).trim().to_string()
    }

    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(token, Method::GET, path, None).await
    }

    pub async fn submit(&self, token: &str, project: &str, deck: &str) -> (StatusCode, Value) {
        self.call(
            token,
            Method::POST,
            "/api/v1/jobs",
            Some(json!({"project": project, "deck": deck})),
        )
        .await
    }

    /// Wait until job `id` is in a final state; returns it.
    pub async fn wait_job(&self, token: &str, id: i64, secs: u64) -> Value {
        let t = Instant::now();
        loop {
            let (s, j) = self.get(token, &format!("/api/v1/jobs/{id}")).await;
            assert_eq!(s, StatusCode::OK, "{j}");
            if j["active"] == false {
                return j;
            }
            assert!(
                t.elapsed().as_secs() < secs,
                "job {id} still {} after {secs} s",
                j["state"]
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Wait until the job's accounting is settled (charges imported, reservation released).
    pub async fn wait_settled(&self, token: &str, id: i64, secs: u64) -> Value {
        let t = Instant::now();
        loop {
            let (_, j) = self.get(token, &format!("/api/v1/jobs/{id}")).await;
            if j["settled"] == true {
                return j;
            }
            assert!(
                t.elapsed().as_secs() < secs,
                "job {id} not settled after {secs} s: {j}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// Server-sent events read from a response: `(id, event, data)`.
pub async fn read_sse(
    resp: reqwest::Response,
    mut on_event: impl FnMut(&(Option<i64>, String, Value)) -> bool,
) -> Vec<(Option<i64>, String, Value)> {
    use futures_util::StreamExt;
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut ev, mut data) = (None, "message".to_string(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("event:") {
                    ev = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if data.is_empty() {
                continue; // keep-alive comment
            }
            let e = (id, ev, serde_json::from_str(&data).unwrap_or(Value::Null));
            let more = on_event(&e);
            out.push(e);
            if !more {
                return out;
            }
        }
    }
    out
}

/// Tests take turns: each runs real engines on the machine's cores.
pub static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Run an administration command with `input` on stdin.
pub fn admin_stdin(g: &Gateway, args: &[&str], input: &str) {
    use std::io::Write;
    let mut c = Command::new(gateway_exe())
        .args(["--data-dir", g.data.to_str().unwrap()])
        .args(args)
        .env_remove("DATABASE_URL")
        .envs(g.db_url.iter().map(|u| ("DATABASE_URL", u)))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    assert!(c.wait().unwrap().success(), "galvana-gateway {args:?}");
}

/// This month, `YYYY-MM` (UTC), as the gateway computes it.
pub fn this_month() -> String {
    galvana_gateway::db::month_of(galvana_gateway::db::now())
}
