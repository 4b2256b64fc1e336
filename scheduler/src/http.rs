//! A minimal HTTP/1.1 client for slurmrestd: plain `http://host:port` or a Unix socket
//! (`unix:/path/to/socket`), one request per connection. (slurmrestd is normally reached on
//! localhost or a socket; put a TLS proxy in front for anything else.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// Where slurmrestd listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Tcp { host: String, port: u16 },
    Unix(String),
}

impl Endpoint {
    /// `http://host[:port]`, `host:port`, or `unix:/path`.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        if let Some(p) = url.strip_prefix("unix:") {
            return Ok(Endpoint::Unix(p.trim_start_matches("//").to_string()));
        }
        if url.starts_with("https://") {
            return Err(format!(
                "{url}: https is not supported; reach slurmrestd over http on localhost or a unix: socket"
            ));
        }
        let rest = url.strip_prefix("http://").unwrap_or(url);
        let hostport = rest.split('/').next().unwrap_or("");
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| format!("{url}: bad port"))?),
            None => (hostport, 80),
        };
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        Ok(Endpoint::Tcp {
            host: host.to_string(),
            port,
        })
    }
}

/// A response: status code and body.
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// Send one request. `headers` are added as given; a body is sent as JSON.
pub fn request(
    ep: &Endpoint,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Response, String> {
    let host = match ep {
        Endpoint::Tcp { host, port } => format!("{host}:{port}"),
        Endpoint::Unix(_) => "localhost".to_string(),
    };
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAccept: application/json\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    let timeout = Some(Duration::from_secs(60));
    // slurmrestd sometimes closes a fresh connection without a byte of reply (seen under load
    // with 22.05); nothing was processed then, so the request is sent again, a few times.
    let mut attempt = 0;
    let raw = loop {
        let raw = match ep {
            Endpoint::Tcp { .. } => {
                let mut s =
                    TcpStream::connect(&host).map_err(|e| format!("connect {host}: {e}"))?;
                s.set_read_timeout(timeout).ok();
                exchange(&mut s, &req)?
            }
            Endpoint::Unix(p) => {
                let mut s = UnixStream::connect(p).map_err(|e| format!("connect {p}: {e}"))?;
                s.set_read_timeout(timeout).ok();
                exchange(&mut s, &req)?
            }
        };
        attempt += 1;
        if !raw.is_empty() || attempt >= 5 {
            break raw;
        }
        std::thread::sleep(Duration::from_millis(300 * attempt));
    };
    parse_response(&raw).map_err(|e| format!("{e} ({} bytes received)", raw.len()))
}

fn exchange<S: Read + Write>(s: &mut S, req: &str) -> Result<Vec<u8>, String> {
    s.write_all(req.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .map_err(|e| format!("receive: {e}"))?;
    Ok(raw)
}

/// Parse a whole HTTP/1.1 response (Content-Length, chunked, or read-to-close bodies).
pub fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("malformed HTTP response (no header end)")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("malformed HTTP status line: {status_line}"))?;
    let mut chunked = false;
    let mut length = None;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                chunked = true;
            } else if k == "content-length" {
                length = v.parse::<usize>().ok();
            }
        }
    }
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(n) = length {
        body.truncate(n);
    }
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("malformed chunked body")?;
        let size_txt = String::from_utf8_lossy(&b[..eol]);
        let size_txt = size_txt.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_txt, 16).map_err(|_| "bad chunk size")?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size {
            return Err("truncated chunked body".into());
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..).unwrap_or(&[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let tcp = |h: &str, p| Endpoint::Tcp {
            host: h.into(),
            port: p,
        };
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:6820"),
            Ok(tcp("127.0.0.1", 6820))
        );
        assert_eq!(
            Endpoint::parse("localhost:6820/"),
            Ok(tcp("localhost", 6820))
        );
        assert_eq!(Endpoint::parse("http://rest"), Ok(tcp("rest", 80)));
        assert_eq!(
            Endpoint::parse("unix:/run/slurmrestd.sock"),
            Ok(Endpoint::Unix("/run/slurmrestd.sock".into()))
        );
        assert!(Endpoint::parse("https://x:1").is_err());
    }

    #[test]
    fn responses() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}trailing").unwrap();
        assert_eq!((r.status, r.body.as_str()), (200, "{}"));
        let r = parse_response(
            b"HTTP/1.1 500 Internal\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_str()), (500, "{\"a\":1}"));
    }
}
