//! Gateway → Slurm → engine → SSE → sacct → ledger, against a real Slurm (slurmctld, slurmd,
//! slurmdbd, slurmrestd) such as `scripts/slurm-local.sh up` starts. Skipped with a printed
//! reason only when `GALVANA_SLURM_TESTS` is not set; when it is set they must pass.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use std::process::Command;

fn enabled() -> bool {
    if std::env::var_os("GALVANA_SLURM_TESTS").is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "skipping real-Slurm gateway test: GALVANA_SLURM_TESTS is not set (start Slurm with `scripts/slurm-local.sh up`)"
        );
        return false;
    }
    true
}

/// `(core-seconds, GPU-seconds)` of every run of a job, read from `sacct` directly.
fn sacct_core_s(id: &str) -> Vec<(String, i64)> {
    let o = Command::new("sacct")
        .args([
            "-j",
            id,
            "-X",
            "-n",
            "-P",
            "--duplicates",
            "-o",
            "State,ElapsedRaw,AllocCPUS",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            (
                f[0].to_string(),
                f[1].parse::<i64>().unwrap() * f[2].parse::<i64>().unwrap(),
            )
        })
        .collect()
}

fn rest_env() -> Vec<(&'static str, String)> {
    let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let out = Command::new("scontrol")
        .args(["token", "lifespan=7200"])
        .output()
        .expect("scontrol token");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let token = text
        .trim()
        .strip_prefix("SLURM_JWT=")
        .unwrap_or_else(|| panic!("scontrol token: {text}"))
        .to_string();
    vec![
        ("SLURM_JWT", token),
        ("SLURMRESTD_USER", user),
        (
            "SLURMRESTD_URL",
            std::env::var("SLURMRESTD_URL").unwrap_or_else(|_| "http://127.0.0.1:6820".into()),
        ),
    ]
}

async fn run_through(backend: &str, env: &[(&str, String)]) {
    let g = Gateway::start(&format!("slurm-{backend}"), backend, "", env);
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
    let (s, j) = g.submit(&alice, "pa", &deck(1800.0, 2, "00:10:00")).await;
    assert_eq!(s, StatusCode::CREATED, "{j}");
    let id = j["id"].as_i64().unwrap();
    let pid = j["project_id"].as_i64().unwrap();
    let sid = j["scheduler_id"].as_str().unwrap().to_string();
    let run = g.data.join(format!("projects/{pid}/jobs/{id}/job/run"));
    let resp = g
        .http
        .get(format!("{}/api/v1/jobs/{id}/residuals", g.url))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    let mut live = None;
    let events = read_sse(resp, |(_, kind, _)| {
        if kind == "nonlinear" && live.is_none() {
            live = Some(!run.join("summary.json").exists());
        }
        kind != "end"
    })
    .await;
    assert_eq!(live, Some(true), "residuals arrived while the job ran");
    assert_eq!(
        events.last().unwrap().2["state"],
        "completed",
        "{:?}",
        events.last()
    );
    assert!(events.iter().any(|e| e.1 == "done"));

    // The ledger charges what sacct reports.
    g.wait_settled(&alice, id, 180).await;
    let (_, l) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/ledger"))
        .await;
    let e = l["entries"].as_array().unwrap();
    let kinds: Vec<&str> = e.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["reservation", "charge", "release"], "{l}");
    let truth = sacct_core_s(&sid);
    assert_eq!(truth.len(), 1, "{truth:?}");
    assert_eq!(
        e[1]["core_s"].as_i64().unwrap(),
        truth[0].1,
        "{l} vs sacct {truth:?}"
    );
    assert!(e[1]["note"].as_str().unwrap().contains(&sid));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deck_runs_through_slurm_with_live_residuals_and_a_ledger_charge() {
    if !enabled() {
        return;
    }
    let _turn = TURN.lock().await;
    run_through("slurm", &[]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_through_slurmrestd() {
    if !enabled() {
        return;
    }
    let _turn = TURN.lock().await;
    run_through("rest", &rest_env()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signalled_campaign_requeues_continues_and_is_charged_per_segment() {
    if !enabled() {
        return;
    }
    let _turn = TURN.lock().await;
    let g = Gateway::start("slurm-campaign", "slurm", "", &[]);
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
    let (s, j) = g.submit(&alice, "pa", &deck(3600.0, 1, "00:10:00")).await;
    assert_eq!(s, StatusCode::CREATED, "{j}");
    let id = j["id"].as_i64().unwrap();
    let pid = j["project_id"].as_i64().unwrap();
    let sid = j["scheduler_id"].as_str().unwrap().to_string();
    let resp = g
        .http
        .get(format!("{}/api/v1/jobs/{id}/residuals", g.url))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    let mut signalled = false;
    let events = read_sse(resp, |(_, kind, data)| {
        if !signalled && kind == "step" && data["time"].as_f64().unwrap_or(0.0) > 0.5 {
            // As Slurm does GRACE seconds before the time limit: USR1 to the batch script.
            let st = Command::new("scancel")
                .args(["--signal=USR1", "--batch", &sid])
                .status()
                .unwrap();
            assert!(st.success());
            signalled = true;
        }
        kind != "end"
    })
    .await;
    assert!(signalled);
    let kinds: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    let ck = kinds
        .iter()
        .position(|k| *k == "checkpoint")
        .expect("a checkpoint event");
    let rs = kinds
        .iter()
        .position(|k| *k == "restart")
        .expect("a restart event");
    assert!(ck < rs, "{kinds:?}");
    assert_eq!(events.last().unwrap().2["state"], "completed");
    // One stream across both segments: ids continue without a gap or repeat.
    let ids: Vec<i64> = events.iter().filter_map(|e| e.0).collect();
    assert_eq!(ids, (0..ids.len() as i64).collect::<Vec<_>>());

    let (_, c) = g.get(&alice, &format!("/api/v1/campaigns/{id}")).await;
    let t = &c["campaign"]["tasks"][0];
    let actions: Vec<&str> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        (actions, t["restarts"].as_u64()),
        (vec!["requeue", "done"], Some(1)),
        "{c}"
    );
    assert_eq!(t["progress"], json!(1.0));

    g.wait_settled(&alice, id, 180).await;
    let (_, l) = g
        .get(&alice, &format!("/api/v1/projects/{pid}/ledger"))
        .await;
    let charges: Vec<&Value> = l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "charge")
        .collect();
    let truth = sacct_core_s(&sid);
    assert_eq!(charges.len(), 2, "{l}");
    assert_eq!(
        truth.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
        ["REQUEUED", "COMPLETED"]
    );
    let sum: i64 = charges.iter().map(|c| c["core_s"].as_i64().unwrap()).sum();
    assert_eq!(sum, truth.iter().map(|t| t.1).sum::<i64>());
}

/// #8 end to end: upload an instrument dataset through the gateway, submit a calibration deck
/// that names it, watch the fit's events stream while Slurm runs it, and read the parameters
/// with their intervals from the job's files. The data are the example's synthetic discharge
/// (made by the model with known parameters and 2 mV noise), so the truth is known.
#[tokio::test(flavor = "multi_thread")]
async fn a_calibration_from_an_uploaded_dataset_runs_on_slurm() {
    if !enabled() {
        return;
    }
    let g = Gateway::start("slurm-calibration", "slurm", "", &[]);
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
    let ex = workspace().join("input-decks/examples");
    let r = g
        .http
        .post(format!(
            "{}/api/v1/datasets?project=pa&name=calibrate_spm_discharge.csv",
            g.url
        ))
        .bearer_auth(&alice)
        .body(std::fs::read(ex.join("calibrate_spm_discharge.csv")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let dataset = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The example's fit with a shorter chain (the least-squares part is unchanged).
    let deck = std::fs::read_to_string(ex.join("calibrate_spm_discharge.toml"))
        .unwrap()
        .replace("steps = 2500", "steps = 400")
        .replace("burn = 300", "burn = 100");
    let (s, j) = g
        .call(
            &alice,
            reqwest::Method::POST,
            "/api/v1/jobs",
            Some(json!({"project": "pa", "deck": deck, "datasets": [dataset]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{j}");
    let id = j["id"].as_i64().unwrap();
    assert!(
        j["scheduler_id"].as_str().is_some_and(|x| !x.is_empty()),
        "{j}"
    );
    let resp = g
        .http
        .get(format!("{}/api/v1/jobs/{id}/residuals", g.url))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    let events = read_sse(resp, |(_, kind, _)| kind != "end").await;
    assert_eq!(
        events.last().unwrap().2["state"],
        "completed",
        "{:?}",
        events.last()
    );
    assert!(
        events.iter().any(|e| e.1 == "lsq"),
        "least-squares iterations streamed"
    );
    assert!(
        events.iter().any(|e| e.1 == "mcmc"),
        "sampler progress streamed"
    );
    let (s, sum) = g
        .get(
            &alice,
            &format!("/api/v1/jobs/{id}/files/job/run/summary.json"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    let truth = [
        ("diffusivity_n_factor", 0.5),
        ("contact_resistance", 0.010),
        ("initial_soc", 0.85),
    ];
    let ps = sum["calibration"]["parameters"].as_array().unwrap();
    for (p, (name, t)) in ps.iter().zip(truth) {
        assert_eq!(p["name"], name);
        let (est, se) = (
            p["estimate"].as_f64().unwrap(),
            p["std_error"].as_f64().unwrap(),
        );
        assert!((est - t).abs() < 2.0 * se, "{name}: {est} ± {se} vs {t}");
        let ci = p["posterior"]["credible95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() < ci[1].as_f64().unwrap(), "{p}");
    }
    for f in ["fit.csv", "samples.csv"] {
        let r = g
            .http
            .get(format!(
                "{}/api/v1/jobs/{id}/files/job/run/{f}?download=true",
                g.url
            ))
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{f}");
        assert!(r.text().await.unwrap().lines().count() > 10, "{f}");
    }
    let r = g
        .http
        .get(format!(
            "{}/api/v1/jobs/{id}/files/job/run/samples.h5?download=true",
            g.url
        ))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "samples.h5");
    assert!(r.bytes().await.unwrap().starts_with(b"\x89HDF\r\n\x1a\n"));
}
