//! The gateway end to end on the local backend: a real `galvana-gateway` process, real
//! `galvana` runs, the database on disk.

mod common;

use common::*;
use galvana_gateway::openapi::ROUTES;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn path_for(route: &str, job: i64, sweep: i64, project: i64, dataset: i64) -> String {
    let id = if route.starts_with("/api/v1/projects/") {
        project
    } else if route.starts_with("/api/v1/sweeps/") {
        sweep
    } else if route.starts_with("/api/v1/datasets/") {
        dataset
    } else {
        job
    };
    route
        .replace("{id}", &id.to_string())
        .replace("{month}", &this_month())
        .replace("{path}", "deck.toml")
        .replace("{which}", "normalised.csv")
}

fn method(m: &str) -> Method {
    Method::from_bytes(m.to_ascii_uppercase().as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_and_project_isolation_on_every_route() {
    let _turn = TURN.lock().await;
    let g = Gateway::start("isolation", "local", "", &[]);
    let alice = g.user("alice");
    let bob = g.user("bob");
    let carol = g.user("carol");
    g.admin(&[
        "project",
        "add",
        "pa",
        "--plan",
        "researcher",
        "--owner",
        "alice",
    ]);
    g.admin(&["project", "add", "pb", "--owner", "bob"]);
    g.admin(&["project", "member", "pa", "carol", "--role", "viewer"]);
    let (s, j) = g.submit(&alice, "pa", &deck(5.0, 1, "00:05:00")).await;
    assert_eq!(s, StatusCode::CREATED, "{j}");
    let job = j["id"].as_i64().unwrap();
    let pa = j["project_id"].as_i64().unwrap();
    let sweep_file = "deck = \"base.toml\"\n[values]\n\"time.end\" = [2.0, 3.0]\n";
    let (s, v) = g
        .call(
            &alice,
            Method::POST,
            "/api/v1/jobs",
            Some(json!({"project": "pa", "deck": deck(5.0, 1, "00:05:00"), "sweep": sweep_file})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sweep = v["id"].as_i64().unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["array_tasks"].as_i64()),
        (Some("sweep"), Some(2))
    );
    g.wait_job(&alice, job, 300).await;
    let sw = g.wait_job(&alice, sweep, 300).await;
    assert_eq!(sw["state"], "completed", "{sw}");
    let (_, table) = g.get(&alice, &format!("/api/v1/sweeps/{sweep}")).await;
    let tasks = table["sweep"]["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    for (t, end) in tasks.iter().zip([2.0, 3.0]) {
        assert_eq!(t["params"]["time.end"], json!(end), "{t}");
        assert_eq!(t["outcome"]["time_s"], json!(end), "{t}");
    }

    let export = workspace().join("instruments/tests/data/navani/maccor_example.txt");
    let r = g
        .http
        .post(format!(
            "{}/api/v1/datasets?project=pa&name=maccor.txt",
            g.url
        ))
        .bearer_auth(&alice)
        .body(std::fs::read(export).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let dataset = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let mut covered = 0;
    for (m, route, _, role) in ROUTES {
        let p = path_for(route, job, sweep, pa, dataset);
        let m = method(m);
        // Nobody: 401 everywhere but the open routes.
        let (s, _) = g.call("", m.clone(), &p, None).await;
        if *role == "-" {
            assert_ne!(s, StatusCode::UNAUTHORIZED, "{route}");
        } else {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "anonymous {m} {route}");
        }
        let (s, _) = g.call("gv_not-a-token", m.clone(), &p, None).await;
        if *role != "-" {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "bad token {m} {route}");
        }
        if !route.contains("{id}") {
            continue;
        }
        covered += 1;
        // Another project's owner: the object does not exist.
        let (s, v) = g.call(&bob, m.clone(), &p, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "bob {m} {route}: {v}");
        // A viewer of the project: reads what viewers read, is refused the rest.
        let (s, v) = g.call(&carol, m.clone(), &p, None).await;
        match *role {
            "viewer" => assert!(s.is_success(), "carol {m} {route}: {s} {v}"),
            _ => assert_eq!(s, StatusCode::FORBIDDEN, "carol {m} {route}: {v}"),
        }
        // The owner gets through (cancel of an ended job is a conflict, a restart without a
        // body a bad request: not refusals).
        let (s, v) = g.call(&alice, m.clone(), &p, None).await;
        assert!(
            s.is_success()
                || s == StatusCode::CONFLICT
                || (route.ends_with("/restart") && s == StatusCode::BAD_REQUEST),
            "alice {m} {route}: {s} {v}"
        );
    }
    assert_eq!(covered, 18, "object routes checked");

    // Lists never show other projects' jobs; submitting into them is a 404; viewers cannot submit.
    for list in ["/api/v1/jobs", "/api/v1/campaigns", "/api/v1/sweeps"] {
        let (s, v) = g.get(&bob, list).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["jobs"].as_array().unwrap().len(), 0, "{list}: {v}");
    }
    let (s, v) = g.get(&bob, "/api/v1/datasets").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["datasets"].as_array().unwrap().len(), 0, "{v}");
    let (s, v) = g.get(&bob, "/api/v1/projects").await;
    assert_eq!(
        (s, v["projects"].as_array().unwrap().len()),
        (StatusCode::OK, 1),
        "{v}"
    );
    let (s, _) = g.submit(&bob, "pa", &deck(5.0, 1, "00:05:00")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = g
        .submit(&bob, &pa.to_string(), &deck(5.0, 1, "00:05:00"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = g.submit(&carol, "pa", &deck(5.0, 1, "00:05:00")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["message"].as_str().unwrap().contains("viewer"), "{v}");

    // Files stay inside the job directory.
    for bad in [
        "..%2F..%2Fgateway.toml",
        "../../../gateway.toml",
        "%2Fetc%2Fpasswd",
        "job/../../../../gateway.db",
    ] {
        let (s, _) = g
            .get(&alice, &format!("/api/v1/jobs/{job}/files/{bad}"))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
    }
    let (_, files) = g.get(&alice, &format!("/api/v1/jobs/{job}/files")).await;
    let names: Vec<&str> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"deck.toml") && names.contains(&"job/run/monitors.csv"),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.starts_with('/')));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_streams_its_residuals_and_is_billed_once() {
    let _turn = TURN.lock().await;
    let g = Gateway::start(
        "stream",
        "local",
        "[prices]\ncpu_hour = 0.5\ngpu_hour = 3.0\n",
        &[],
    );
    let alice = g.user("alice");
    g.admin(&[
        "project",
        "add",
        "pa",
        "--plan",
        "researcher",
        "--owner",
        "alice",
    ]);
    let (s, j) = g.submit(&alice, "pa", &deck(1800.0, 1, "00:05:00")).await;
    assert_eq!(s, StatusCode::CREATED, "{j}");
    let id = j["id"].as_i64().unwrap();
    let pid = j["project_id"].as_i64().unwrap();
    assert_eq!(j["reserved"]["core_hours"], json!(5.0 / 60.0));
    let run = g.data.join(format!("projects/{pid}/jobs/{id}/job/run"));

    // Several subscribers at once; the first notes whether the run was still going when its
    // first residual arrived.
    let url = format!("{}/api/v1/jobs/{id}/residuals", g.url);
    let mut subs = Vec::new();
    for k in 0..4 {
        let (http, url, alice, run) = (g.http.clone(), url.clone(), alice.clone(), run.clone());
        subs.push(tokio::spawn(async move {
            let resp = http.get(&url).bearer_auth(&alice).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.headers()["content-type"], "text/event-stream");
            let mut live = None;
            let ev = read_sse(resp, |(_, kind, _)| {
                if k == 0 && kind == "nonlinear" && live.is_none() {
                    live = Some(!run.join("summary.json").exists());
                }
                kind != "end"
            })
            .await;
            (ev, live)
        }));
    }
    let mut streams = Vec::new();
    for s in subs {
        streams.push(s.await.unwrap());
    }
    let (events, live) = &streams[0];
    assert_eq!(
        *live,
        Some(true),
        "the first residual arrived while the run was going"
    );
    for (other, _) in &streams[1..] {
        assert_eq!(other.len(), events.len());
        assert!(other
            .iter()
            .zip(events)
            .all(|(a, b)| a.0 == b.0 && a.1 == b.1));
    }
    let (last, body) = (&events.last().unwrap().1, &events.last().unwrap().2);
    assert_eq!(
        (last.as_str(), body["state"].as_str()),
        ("end", Some("completed")),
        "{body}"
    );
    let ids: Vec<i64> = events.iter().filter_map(|e| e.0).collect();
    assert_eq!(
        ids,
        (0..ids.len() as i64).collect::<Vec<_>>(),
        "ids are the stream's seq, in order"
    );
    let kinds: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    for k in ["step", "nonlinear", "linear", "progress", "done"] {
        assert!(kinds.contains(&k), "no {k} event in {kinds:?}");
    }
    // The stream is the file.
    let file = std::fs::read_to_string(run.join("residuals.jsonl")).unwrap();
    assert_eq!(file.lines().count(), ids.len());

    // Resume after event 9: exactly the rest.
    let resp = g
        .http
        .get(&url)
        .bearer_auth(&alice)
        .header("Last-Event-ID", "9")
        .send()
        .await
        .unwrap();
    let rest = read_sse(resp, |e| e.1 != "end").await;
    let rest_ids: Vec<i64> = rest.iter().filter_map(|e| e.0).collect();
    assert_eq!(rest_ids, ids[10..].to_vec());

    // The same stream in a terminal: `galvana jobs watch ID --gateway URL`.
    let o = std::process::Command::new(galvana())
        .args(["jobs", "watch", &id.to_string(), "--gateway", &g.url])
        .env("GALVANA_TOKEN", &alice)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let newton = text
        .lines()
        .filter(|l| l.contains(" Newton |R| = "))
        .count();
    assert_eq!(
        newton,
        kinds.iter().filter(|k| **k == "nonlinear").count(),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with(&format!("Job {id} completed")),
        "{text}"
    );
    let o = std::process::Command::new(galvana())
        .args(["jobs", "watch", &id.to_string(), "--gateway", &g.url])
        .env("GALVANA_TOKEN", "gv_wrong")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("401"));

    // Billing: reservation, charge for the run, release; totals equal the sum of entries.
    g.wait_settled(&alice, id, 120).await;
    let (_, l) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/ledger"))
        .await;
    let entries = l["entries"].as_array().unwrap().clone();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reservation", "charge", "release"], "{l}");
    let charge = &entries[1];
    let elapsed = charge["core_s"].as_i64().unwrap();
    assert!(elapsed >= 1, "{charge}");
    // 1 rank at 0.5 credits per core-hour.
    let expect = (elapsed as f64 * 0.5e6 / 3600.0).round() as i64;
    assert_eq!(charge["amount_micro"].as_i64().unwrap(), expect);
    assert_eq!(
        entries[2]["amount_micro"].as_i64().unwrap(),
        -entries[0]["amount_micro"].as_i64().unwrap()
    );
    let month = this_month();
    let (_, st) = g
        .get(
            &alice,
            &format!("/api/v1/projects/{pid}/statements/{month}"),
        )
        .await;
    let sum: i64 = st["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount_micro"].as_i64().unwrap())
        .sum();
    assert_eq!(st["total"]["amount_micro"].as_i64().unwrap(), sum);
    assert_eq!(sum, expect, "reservation and release cancel out");
    let by_kind: i64 = st["by_kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["amount_micro"].as_i64().unwrap())
        .sum();
    assert_eq!(by_kind, sum);
    let csv = g
        .http
        .get(format!(
            "{}/api/v1/projects/{pid}/statements/{month}.csv",
            g.url
        ))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + entries.len() + 1, "{csv}");
    assert!(lines.last().unwrap().contains(",total,"), "{csv}");
    assert!(
        lines
            .last()
            .unwrap()
            .contains(&format!("{:.6}", expect as f64 / 1e6)),
        "{csv}"
    );
    // Quota meters: the reservation is gone, the charge remains.
    let (_, u) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/usage"))
        .await;
    assert_eq!(
        u["committed"]["core_hours"],
        json!(elapsed as f64 / 3600.0),
        "{u}"
    );
    assert_eq!(u["reserved"]["core_hours"], json!(0.0), "{u}");

    // Importing the same accounting again changes nothing.
    g.admin(&["import-accounting"]);
    g.admin(&["import-accounting"]);
    let (_, l2) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/ledger"))
        .await;
    assert_eq!(l2, l);
    let (_, u2) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/usage"))
        .await;
    assert_eq!(u2, u);

    // A result file downloads byte for byte.
    let got = g
        .http
        .get(format!(
            "{}/api/v1/jobs/{id}/files/job/run/monitors.csv?download=true",
            g.url
        ))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(
        got.bytes().await.unwrap().as_ref(),
        std::fs::read(run.join("monitors.csv")).unwrap()
    );

    // Metrics saw all of it.
    let m = g
        .http
        .get(format!("{}/metrics", g.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "galvana_http_requests_total{method=\"GET\",route=\"/api/v1/jobs/{id}/residuals\",status=\"200\"} 6",
        "galvana_http_requests_total{method=\"GET\",route=\"/api/v1/jobs/{id}/residuals\",status=\"401\"} 1",
        "galvana_jobs{state=\"completed\"} 1",
        "galvana_residual_streams 0",
        "galvana_http_request_duration_seconds_bucket{route=\"/api/v1/jobs\",le=\"+Inf\"} 1",
        "galvana_queue_depth 0",
        "galvana_accounting_import_lag_seconds 0",
    ] {
        assert!(m.contains(needle), "no `{needle}` in\n{m}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_concurrent_submits_never_overcommit() {
    let _turn = TURN.lock().await;
    // 10 jobs of 1 rank × 6 minutes fit 1 core-hour exactly.
    let g = Gateway::start(
        "quota",
        "local",
        "[plans.free]\ncore_hours = 100.0\n[plans.tiny]\ncore_hours = 1.0\n",
        &[],
    );
    let alice = g.user("alice");
    g.admin(&["project", "add", "pt", "--plan", "tiny", "--owner", "alice"]);
    let d = deck(2.0, 1, "00:06:00");
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (http, url, tok, d) = (g.http.clone(), g.url.clone(), alice.clone(), d.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{url}/api/v1/jobs"))
                .bearer_auth(tok)
                .json(&json!({"project": "pt", "deck": d}))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut ok = Vec::new();
    let mut refused = 0;
    for t in tasks {
        let (s, v) = t.await.unwrap();
        match s {
            StatusCode::CREATED => ok.push(v["id"].as_i64().unwrap()),
            StatusCode::PAYMENT_REQUIRED => {
                assert_eq!(v["error"], "quota_exceeded");
                assert!(v["message"].as_str().unwrap().contains("left"), "{v}");
                assert!(
                    v["left"]["core_hours"].as_f64().unwrap() < 0.1 + 1e-9,
                    "{v}"
                );
                refused += 1;
            }
            s => panic!("unexpected {s}: {v}"),
        }
    }
    assert_eq!((ok.len(), refused), (10, 90));
    let (_, me) = g.get(&alice, "/api/v1/me").await;
    let pid = me["projects"][0]["id"].as_i64().unwrap();
    let (_, u) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/usage"))
        .await;
    assert_eq!(u["committed"]["core_hours"], json!(1.0), "{u}");
    assert_eq!(u["left"]["core_hours"], json!(0.0), "{u}");
    let (_, l) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/ledger"))
        .await;
    assert_eq!(l["entries"].as_array().unwrap().len(), 10);
    let m = g
        .http
        .get(format!("{}/metrics", g.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("galvana_quota_refusals_total 90"), "{m}");

    // When they have run, actual usage replaces the reservations.
    for id in &ok {
        g.wait_job(&alice, *id, 600).await;
        g.wait_settled(&alice, *id, 120).await;
    }
    let (_, l) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/ledger"))
        .await;
    let e = l["entries"].as_array().unwrap();
    let count = |k: &str| e.iter().filter(|x| x["kind"] == k).count();
    assert_eq!(
        (count("reservation"), count("charge"), count("release")),
        (10, 10, 10)
    );
    let charged: i64 = e
        .iter()
        .filter(|x| x["kind"] == "charge")
        .map(|x| x["core_s"].as_i64().unwrap())
        .sum();
    let (_, u) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/usage"))
        .await;
    assert_eq!(
        u["committed"]["core_hours"],
        json!(charged as f64 / 3600.0),
        "{u}"
    );
    // Room again: the next submit is accepted.
    let (s, v) = g.submit(&alice, "pt", &d).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, _) = g
        .call(
            &alice,
            Method::POST,
            &format!("/api/v1/jobs/{id}/cancel"),
            None,
        )
        .await;
    assert!(s == StatusCode::ACCEPTED || s == StatusCode::CONFLICT);
    g.wait_job(&alice, id, 120).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_need_csrf_and_bad_decks_point_at_their_lines() {
    let _turn = TURN.lock().await;
    let g = Gateway::start("session", "local", "max_deck_bytes = 20000\n", &[]);
    admin_stdin(
        &g,
        &["user", "add", "dave", "--password-stdin"],
        "a long password\n",
    );
    g.admin(&["project", "add", "pd", "--owner", "dave"]);
    let login = |pw: &str| {
        g.http
            .post(format!("{}/api/v1/login", g.url))
            .json(&json!({"user": "dave", "password": pw}))
            .send()
    };
    assert_eq!(
        login("wrong").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let r = login("a long password").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = g
        .http
        .get(format!("{}/api/v1/me", g.url))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.json::<Value>().await.unwrap()["csrf_token"], json!(csrf));

    let text = deck(5.0, 1, "00:05:00").replacen("[physics]", "[physics]\nordr = 2", 1);
    let line = text.lines().position(|l| l.starts_with("ordr")).unwrap() + 1;
    let post = |body: Value, token: Option<&str>| {
        let mut r = g
            .http
            .post(format!("{}/api/v1/jobs", g.url))
            .header("cookie", &session)
            .json(&body);
        if let Some(t) = token {
            r = r.header("x-csrf-token", t);
        }
        r.send()
    };
    let body = json!({"project": "pd", "deck": text});
    assert_eq!(
        post(body.clone(), None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(body.clone(), Some("forged")).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = post(body, Some(&csrf)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64()),
        (Some(line as u64), Some(1)),
        "{v}"
    );
    assert!(d["help"].as_str().unwrap().contains("order"), "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("deck.toml:{line}:1:")),
        "{v}"
    );

    // A deck naming files outside its job directory, and an oversized deck.
    let escape = format!(
        "{}\n[checkpoint]\ndirectory = \"../../..\"\n",
        deck(5.0, 1, "00:05:00")
    );
    let r = post(json!({"project": "pd", "deck": escape}), Some(&csrf))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("inside their job directory"));
    let big = format!("{}\n#{}\n", deck(5.0, 1, "00:05:00"), "x".repeat(30_000));
    assert_eq!(
        post(json!({"project": "pd", "deck": big}), Some(&csrf))
            .await
            .unwrap()
            .status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let huge = "x".repeat(1 << 20);
    // (Its own client: the server closes a connection whose body it refused to read.)
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/jobs", g.url))
        .header("cookie", &session)
        .header("x-csrf-token", &csrf)
        .json(&json!({"project": "pd", "deck": huge}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The checker route, as the portal uses it while typing.
    let r = g
        .http
        .post(format!("{}/api/v1/check", g.url))
        .header("cookie", &session)
        .header("x-csrf-token", &csrf)
        .json(&json!({"deck": deck(5.0, 2, "01:00:00")}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["cost"]["core_hours"].as_f64()),
        (Some(true), Some(2.0)),
        "{v}"
    );

    // Logged out: the session is gone.
    let r = g
        .http
        .post(format!("{}/api/v1/logout", g.url))
        .header("cookie", &session)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let me = g
        .http
        .get(format!("{}/api/v1/me", g.url))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);

    // The OpenAPI document lists every route of the table.
    let doc: Value = g
        .http
        .get(format!("{}/api/v1/openapi.json", g.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (m, route, _, _) in ROUTES {
        assert!(doc["paths"][route][m].is_object(), "{m} {route} missing");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_from_a_checkpoint_of_an_ended_job() {
    let _turn = TURN.lock().await;
    let g = Gateway::start("restart", "local", "", &[]);
    let alice = g.user("alice");
    g.admin(&[
        "project",
        "add",
        "pa",
        "--plan",
        "researcher",
        "--owner",
        "alice",
    ]);
    let text = format!(
        "{}\n[checkpoint]\ninterval_steps = 10\nkeep = 3\n",
        deck(300.0, 1, "00:05:00")
    );
    let (s, j) = g.submit(&alice, "pa", &text).await;
    assert_eq!(s, StatusCode::CREATED, "{j}");
    let id = j["id"].as_i64().unwrap();
    assert_eq!(g.wait_job(&alice, id, 300).await["state"], "completed");
    let (_, c) = g
        .get(&alice, &format!("/api/v1/jobs/{id}/checkpoints"))
        .await;
    let list = c["checkpoints"].as_array().unwrap();
    assert!(!list.is_empty(), "{c}");
    let first = list[0]["path"].as_str().unwrap().to_string();
    for bad in ["deck.toml", "../../gateway.db", "job/run/monitors.csv"] {
        let (s, _) = g
            .call(
                &alice,
                Method::POST,
                &format!("/api/v1/jobs/{id}/restart"),
                Some(json!({"checkpoint": bad})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
    }
    let (s, r) = g
        .call(
            &alice,
            Method::POST,
            &format!("/api/v1/jobs/{id}/restart"),
            Some(json!({"checkpoint": first})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let new = r["id"].as_i64().unwrap();
    assert!(
        r["name"]
            .as_str()
            .unwrap()
            .contains(&format!("restart of job {id}")),
        "{r}"
    );
    assert_eq!(g.wait_job(&alice, new, 300).await["state"], "completed");
    let pid = r["project_id"].as_i64().unwrap();
    let run = g.data.join(format!("projects/{pid}/jobs/{new}/job/run"));
    let events = std::fs::read_to_string(run.join("residuals.jsonl")).unwrap();
    let first_step: Value = events
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["kind"] == "restart")
        .expect("a restart event");
    assert!(first_step["step"].as_u64().unwrap() > 0, "{first_step}");
    let mon = std::fs::read_to_string(run.join("monitors.csv")).unwrap();
    let last_t: f64 = mon
        .lines()
        .last()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((last_t - 300.0).abs() < 1e-9, "{last_t}");
    // The same final state as the run it continued.
    let old = g
        .data
        .join(format!("projects/{pid}/jobs/{id}/job/run/monitors.csv"));
    let old_last = std::fs::read_to_string(old)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert_eq!(mon.lines().last().unwrap(), old_last);
}
