//! The residual stream in a terminal: `galvana jobs watch ID` prints the run's
//! `residuals.jsonl` events as the engine's monitor lines (`  3 Newton |R| = 1.2e-07`),
//! either by tailing the file of a campaign on this machine or from a gateway's Server-Sent
//! Events (`--gateway URL`, token in `$GALVANA_TOKEN`).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One event as a console line (`None` for kinds not shown: linear iterations unless
/// `linear`, and unknown kinds).
pub fn format_event(v: &Value, linear: bool) -> Option<String> {
    let f = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let i = |k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(-1);
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Some(match v.get("kind")?.as_str()? {
        "step" => format!(
            "Time step {}, time = {:.6e} s, dt = {:.6e} s",
            i("step"),
            f("time"),
            f("dt")
        ),
        "nonlinear" => format!("{:3} Newton |R| = {:.6e}", i("it"), f("norm")),
        "linear" if linear => format!("    {:3} KSP Residual norm {:.6e}", i("it"), f("norm")),
        "checkpoint" => format!("Checkpoint at step {}: {}", i("step"), s("path")),
        "restart" => format!(
            "Restarted at step {}, time = {:.6e} s",
            i("step"),
            f("time")
        ),
        "progress" => format!(
            "Progress {:.1}%, ETA {:.0} s",
            100.0 * f("fraction"),
            f("eta_s")
        ),
        "done" => format!("Run {}: {}", s("status"), s("message")),
        _ => return None,
    })
}

/// Follows a growing `residuals.jsonl`, printing whole lines as they appear.
pub struct FileTail {
    path: PathBuf,
    pos: u64,
    partial: String,
    linear: bool,
}

impl FileTail {
    pub fn new(path: &Path, linear: bool) -> Self {
        Self {
            path: path.to_path_buf(),
            pos: 0,
            partial: String::new(),
            linear,
        }
    }

    /// Print what was appended since the last call; returns how many events were printed.
    pub fn pump(&mut self, out: &mut impl Write) -> usize {
        let Ok(mut f) = std::fs::File::open(&self.path) else {
            return 0;
        };
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        if len < self.pos {
            self.pos = 0;
            self.partial.clear();
        }
        if len == self.pos || f.seek(SeekFrom::Start(self.pos)).is_err() {
            return 0;
        }
        let mut buf = Vec::new();
        let n = f.take(len - self.pos).read_to_end(&mut buf).unwrap_or(0);
        self.pos += n as u64;
        self.partial.push_str(&String::from_utf8_lossy(&buf));
        let mut printed = 0;
        while let Some(nl) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=nl).collect();
            if let Some(text) = serde_json::from_str::<Value>(line.trim())
                .ok()
                .and_then(|v| format_event(&v, self.linear))
            {
                let _ = writeln!(out, "{text}");
                printed += 1;
            }
        }
        let _ = out.flush();
        printed
    }
}

/// Read the body of a chunked (or plain) HTTP response as a stream of bytes.
struct Body<R: BufRead> {
    r: R,
    chunked: bool,
    left: usize,
    done: bool,
}

impl<R: BufRead> Read for Body<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.chunked {
            return self.r.read(buf);
        }
        if self.done {
            return Ok(0);
        }
        if self.left == 0 {
            let mut line = String::new();
            self.r.read_line(&mut line)?;
            if line.trim().is_empty() {
                // The CRLF after the previous chunk.
                line.clear();
                self.r.read_line(&mut line)?;
            }
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| std::io::Error::other(format!("bad chunk size `{}`", line.trim())))?;
            if size == 0 {
                self.done = true;
                return Ok(0);
            }
            self.left = size;
        }
        let want = buf.len().min(self.left);
        let n = self.r.read(&mut buf[..want])?;
        self.left -= n;
        Ok(n)
    }
}

/// Follow job `job` of the gateway at `url` (plain `http://host:port`, e.g. on localhost or
/// through an SSH tunnel) until its stream ends; exit status 0 when the job completed.
pub fn watch_gateway(url: &str, token: &str, job: &str, linear: bool) -> Result<i32, String> {
    let ep = crate::http::Endpoint::parse(url)?;
    let crate::http::Endpoint::Tcp { host, port } = ep else {
        return Err("--gateway needs an http://host:port URL".into());
    };
    let mut last_id: Option<i64> = None;
    let mut attempts = 0;
    loop {
        let stream = std::net::TcpStream::connect((host.as_str(), port))
            .map_err(|e| format!("cannot reach the gateway at {url}: {e}"))?;
        let mut w = stream.try_clone().map_err(|e| e.to_string())?;
        let resume = last_id
            .map(|i| format!("Last-Event-ID: {i}\r\n"))
            .unwrap_or_default();
        write!(
            w,
            "GET /api/v1/jobs/{job}/residuals HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n{resume}Connection: close\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut r = BufReader::new(stream);
        let mut status = String::new();
        r.read_line(&mut status).map_err(|e| e.to_string())?;
        let code: u16 = status
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut chunked = false;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).map_err(|e| e.to_string())? == 0 || h.trim().is_empty() {
                break;
            }
            let lower = h.to_ascii_lowercase();
            if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        if code != 200 {
            let mut body = String::new();
            let _ = Body {
                r,
                chunked,
                left: 0,
                done: false,
            }
            .read_to_string(&mut body);
            let msg = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or(body);
            return Err(format!("gateway answered {code}: {msg}"));
        }
        let body = BufReader::new(Body {
            r,
            chunked,
            left: 0,
            done: false,
        });
        let (mut event, mut data, mut id) = (String::new(), String::new(), None);
        let stdout = std::io::stdout();
        for line in body.lines() {
            let Ok(line) = line else { break };
            if line.is_empty() {
                if !data.is_empty() {
                    if let Some(i) = id {
                        last_id = Some(i);
                    }
                    let v: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
                    if event == "end" {
                        let state = v.get("state").and_then(Value::as_str).unwrap_or("unknown");
                        let reason = v
                            .get("reason")
                            .and_then(Value::as_str)
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default();
                        println!("Job {job} {state}{reason}");
                        return Ok(if state == "completed" { 0 } else { 1 });
                    }
                    if let Some(t) = format_event(&v, linear) {
                        let _ = writeln!(stdout.lock(), "{t}");
                    }
                }
                event.clear();
                data.clear();
                id = None;
            } else if let Some(v) = line.strip_prefix("event:") {
                event = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            } else if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().parse().ok();
            }
        }
        // The connection dropped before the end: resume after the last event seen.
        attempts += 1;
        if attempts > 10 {
            return Err("the gateway keeps closing the stream".into());
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_like_the_engine_monitor() {
        let v: Value = serde_json::from_str(
            r#"{"seq":3,"kind":"nonlinear","step":1,"it":2,"norm":1.25e-7,"rel":1e-9}"#,
        )
        .unwrap();
        assert_eq!(
            format_event(&v, false).unwrap(),
            "  2 Newton |R| = 1.250000e-7"
        );
        let l: Value = serde_json::from_str(r#"{"kind":"linear","it":4,"norm":0.5}"#).unwrap();
        assert_eq!(format_event(&l, false), None);
        assert!(format_event(&l, true)
            .unwrap()
            .contains("KSP Residual norm"));
        let u: Value = serde_json::from_str(r#"{"kind":"something_new"}"#).unwrap();
        assert_eq!(format_event(&u, true), None);
    }

    #[test]
    fn chunked_bodies() {
        let raw = b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
        let mut s = String::new();
        Body {
            r: &raw[..],
            chunked: true,
            left: 0,
            done: false,
        }
        .read_to_string(&mut s)
        .unwrap();
        assert_eq!(s, "hello, world");
    }

    #[test]
    fn file_tail_prints_only_complete_new_lines() {
        let d = std::env::temp_dir().join(format!("watch-tail-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("residuals.jsonl");
        std::fs::write(
            &p,
            "{\"kind\":\"step\",\"step\":1,\"time\":0.5,\"dt\":0.5}\n{\"kind\":\"nonlin",
        )
        .unwrap();
        let mut t = FileTail::new(&p, false);
        let mut out = Vec::new();
        assert_eq!(t.pump(&mut out), 1);
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"ear\",\"it\":0,\"norm\":2.0}\n").unwrap();
        assert_eq!(t.pump(&mut out), 1);
        assert_eq!(t.pump(&mut out), 0);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("Time step 1") && text.contains("  0 Newton |R| = 2.000000e0"),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
