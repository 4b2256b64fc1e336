//! Instrument uploads through a real gateway process: what is stored reads back to the
//! library's parse (whose numbers instruments/tests check against independent readings),
//! the cycling analysis is served, bad files and oversize uploads leave nothing behind, and
//! projects stay apart.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::PathBuf;

fn sample(rel: &str) -> PathBuf {
    workspace().join("instruments/tests/data").join(rel)
}

async fn upload(g: &Gateway, token: &str, query: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let r = g
        .http
        .post(format!("{}/api/v1/datasets?{query}", g.url))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let s = r.status();
    let t = r.text().await.unwrap();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

/// Files under the data directory's dataset and staging folders.
fn stored_files(g: &Gateway) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![g.data.join("projects"), g.data.join("staging")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains("datasets")
                || p.starts_with(g.data.join("staging"))
            {
                out.push(p.strip_prefix(&g.data).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_read_back_analyse_and_limits() {
    // Room for the Arbin database twice (0.66 MB with its CSV) but not three times; uploads ≤ 600 kB.
    let g = Gateway::start(
        "datasets",
        "local",
        "max_upload_bytes = 600000\nmax_project_dataset_bytes = 1500000",
        &[],
    );
    let alice = g.user("alice");
    let bob = g.user("bob");
    let carol = g.user("carol");
    g.admin(&["project", "add", "pa", "--owner", "alice"]);
    g.admin(&["project", "add", "pb", "--owner", "bob"]);
    g.admin(&["project", "member", "pa", "carol", "--role", "viewer"]);

    let res = sample("navani/arbin_example.res");
    let bytes = std::fs::read(&res).unwrap();
    let (s, v) = upload(&g, &alice, "project=pa&name=cell%2007.res", bytes.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["format"], "arbin-res");
    assert_eq!(v["rows"], 2150);
    let id = v["id"].as_i64().unwrap();
    let lib = galvana_instruments::read(&res, None, None).unwrap();
    let cols: Vec<&str> = lib.columns().map(|c| c.0.name()).collect();
    assert_eq!(v["columns"], serde_json::json!(cols));

    // Both files read back: the original byte for byte, the normalised CSV as the library
    // writes it for the same parse.
    let get = |path: String, tok: &str| {
        g.http
            .get(format!("{}{path}", g.url))
            .bearer_auth(tok.to_string())
            .send()
    };
    let r = get(format!("/api/v1/datasets/{id}/files/original"), &carol)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    let r = get(
        format!("/api/v1/datasets/{id}/files/normalised.csv"),
        &carol,
    )
    .await
    .unwrap();
    let csv = r.text().await.unwrap();
    let mut want = lib.clone();
    want.meta.source_file = "cell 07.res".into();
    assert_eq!(csv, galvana_instruments::csv_out::to_csv(&want));
    let r = get(
        format!("/api/v1/datasets/{id}/files/..%2F..%2Fgateway.toml"),
        &alice,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The cycling analysis, as `galvana cycles` computes it.
    let (s, c) = g
        .get(&carol, &format!("/api/v1/datasets/{id}/cycles"))
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let a = galvana_instruments::cycling::analyse(
        &galvana_instruments::cycling::Record::from_dataset(&lib).unwrap(),
        &Default::default(),
    )
    .unwrap();
    let cycles = c["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), a.cycles.len());
    for (x, y) in cycles.iter().zip(&a.cycles) {
        let q = x["discharge_Ah"].as_f64().unwrap();
        assert!(
            (q - y.discharge_ah).abs() <= 1e-12 * y.discharge_ah.max(1e-30),
            "{x}"
        );
    }

    // Others: another project's owner sees nothing; a viewer cannot upload or delete.
    let (s, _) = g.get(&bob, &format!("/api/v1/datasets/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = g.get(&bob, "/api/v1/datasets").await;
    assert_eq!(
        (s, v["datasets"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    let (s, _) = upload(&g, &bob, "project=pa&name=x.res", bytes.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = upload(&g, &carol, "project=pa&name=x.res", bytes.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = g
        .call(
            &carol,
            Method::DELETE,
            &format!("/api/v1/datasets/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let before = stored_files(&g);
    assert_eq!(before.len(), 2, "{before:?}");
    // Unreadable: the parser's message with the file name; nothing stored.
    let mut broken = bytes.clone();
    broken.truncate(4096);
    let (s, v) = upload(&g, &alice, "project=pa&name=broken.res", broken).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["message"].as_str().unwrap().starts_with("broken.res: "),
        "{v}"
    );
    let (s, v) = upload(&g, &alice, "project=pa&name=empty.csv", Vec::new()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Names are file names only.
    let (s, _) = upload(&g, &alice, "project=pa&name=..%2Fx.res", bytes.clone()).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "a path is cut to its last component"
    );
    let (_, v) = g.get(&alice, "/api/v1/datasets?project=pa").await;
    let newest = v["datasets"][0].clone();
    assert_eq!(newest["name"], "x.res");
    let (s, _) = upload(&g, &alice, "project=pa&name=.hidden", bytes.clone()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The project's storage is full now (two copies of ~0.5 MB): a third is refused.
    let maccor = std::fs::read(sample("navani/maccor_example.txt")).unwrap();
    let (s, v) = upload(&g, &alice, "project=pa&name=again.res", bytes.clone()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["error"], "dataset_quota_exceeded", "{v}");
    // Over the per-upload limit: refused before parsing.
    let big = vec![b'1'; 700_000];
    let (s, _) = upload(&g, &bob, "project=pb&name=big.csv", big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(stored_files(&g).len(), 4, "{:?}", stored_files(&g));

    // A spectrum is not cycling data; the analysis says so.
    let (s, v) = upload(
        &g,
        &bob,
        "project=pb&name=spectrum.z",
        std::fs::read(sample("impedancepy/Circuit1_EIS_1.z")).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = g
        .get(&bob, &format!("/api/v1/datasets/{}/cycles", v["id"]))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["message"].as_str().unwrap().contains("current_A"), "{v}");

    // Delete frees the room.
    let (s, _) = g
        .call(
            &alice,
            Method::DELETE,
            &format!("/api/v1/datasets/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = g.get(&alice, &format!("/api/v1/datasets/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = upload(&g, &alice, "project=pa&name=maccor.txt", maccor).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A job takes datasets of its project as files next to its deck: the drive-cycle example
    // names its current profile `battery_drive_cycle.csv`.
    let examples = workspace().join("input-decks/examples");
    let profile = std::fs::read(examples.join("battery_drive_cycle.csv")).unwrap();
    let (s, v) = upload(
        &g,
        &alice,
        "project=pa&name=battery_drive_cycle.csv",
        profile,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let profile_id = v["id"].as_i64().unwrap();
    let deck = std::fs::read_to_string(examples.join("battery_drive_cycle.toml")).unwrap();
    let submit = |tok: String, project: &'static str, ids: Vec<i64>| {
        let deck = deck.clone();
        let g = &g;
        async move {
            g.call(
                &tok,
                Method::POST,
                "/api/v1/jobs",
                Some(serde_json::json!({"project": project, "deck": deck, "datasets": ids})),
            )
            .await
        }
    };
    // Without the file the deck does not check; another project's dataset does not exist.
    let (s, v) = submit(alice.clone(), "pa", vec![]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("battery_drive_cycle.csv"), "{v}");
    let (s, _) = submit(bob.clone(), "pb", vec![profile_id]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = submit(alice.clone(), "pa", vec![profile_id]).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let job = g.wait_job(&alice, v["id"].as_i64().unwrap(), 300).await;
    assert_eq!(job["state"], "completed", "{job}");
    let metrics = g
        .http
        .get(format!("{}/metrics", g.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("galvana_datasets_uploaded_total 5"),
        "{metrics}"
    );
}

/// `POST /check` with the datasets a job would take: the calibration example's deck checks
/// against its dataset as the job would (found, columns read), other projects' datasets are
/// refused as a submission refuses them, and a deck without its dataset hears which file is
/// missing.
#[tokio::test(flavor = "multi_thread")]
async fn check_sees_the_datasets_a_job_would_take() {
    let g = Gateway::start("datasets-check", "local", "", &[]);
    let alice = g.user("alice");
    let bob = g.user("bob");
    let carol = g.user("carol");
    g.admin(&["project", "add", "pa", "--owner", "alice"]);
    g.admin(&["project", "add", "pb", "--owner", "bob"]);
    g.admin(&["project", "member", "pa", "carol", "--role", "viewer"]);
    let examples = workspace().join("input-decks/examples");
    let (s, v) = upload(
        &g,
        &alice,
        "project=pa&name=calibrate_spm_discharge.csv",
        std::fs::read(examples.join("calibrate_spm_discharge.csv")).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let good = v["id"].as_i64().unwrap();
    let (s, v) = upload(
        &g,
        &alice,
        "project=pa&name=spectrum.z",
        std::fs::read(sample("impedancepy/Circuit1_EIS_1.z")).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let spectrum = v["id"].as_i64().unwrap();
    let deck = std::fs::read_to_string(examples.join("calibrate_spm_discharge.toml")).unwrap();
    let dataset_line = deck
        .lines()
        .position(|l| l.starts_with("dataset ="))
        .unwrap()
        + 1;
    let check = |tok: String, body: serde_json::Value| {
        let g = &g;
        async move {
            g.call(&tok, Method::POST, "/api/v1/check", Some(body))
                .await
        }
    };
    let first_error = |v: &Value| -> Value {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["severity"] == "error")
            .cloned()
            .unwrap_or(Value::Null)
    };

    // With its dataset the deck is ready to submit, and costs what its [job] asks.
    let (s, v) = check(
        alice.clone(),
        serde_json::json!({"project": "pa", "deck": deck, "datasets": [good]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{v}");
    // ranks = 2, walltime 10 min.
    assert!(
        (v["cost"]["core_hours"].as_f64().unwrap() - 2.0 / 6.0).abs() < 1e-9,
        "{v}"
    );

    // Without it: an error at the `dataset` line naming the file.
    for body in [
        serde_json::json!({"deck": deck}),
        serde_json::json!({"project": "pa", "deck": deck, "datasets": []}),
    ] {
        let (s, v) = check(alice.clone(), body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["ok"], false, "{v}");
        let e = first_error(&v);
        assert_eq!(e["line"], dataset_line, "{v}");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("`calibrate_spm_discharge.csv`"), "{m}");
        assert!(
            !m.contains(&g.data.display().to_string()),
            "server path shown: {m}"
        );
    }
    // The same deck submitted without its dataset fails the same way.
    let (s, v) = g
        .call(
            &alice,
            Method::POST,
            "/api/v1/jobs",
            Some(serde_json::json!({"project": "pa", "deck": deck})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(first_error(&v)["line"], dataset_line, "{v}");

    // A dataset without the columns a cell fit reads (a spectrum): the columns are named.
    let on_spectrum = deck.replace(
        "dataset = \"calibrate_spm_discharge.csv\"",
        "dataset = \"spectrum.z\"",
    );
    let (_, v) = check(
        alice.clone(),
        serde_json::json!({"project": "pa", "deck": on_spectrum, "datasets": [spectrum]}),
    )
    .await;
    assert_eq!(v["ok"], false, "{v}");
    let e = first_error(&v);
    assert_eq!(e["line"], dataset_line, "{v}");
    let m = e["message"].as_str().unwrap();
    assert!(
        m.contains("spectrum.z: no `")
            && m.contains("frequency_Hz")
            && m.contains("needs time_s, current_A, potential_V"),
        "{m}"
    );
    // A window that leaves fewer than 3 rows is the dataset's problem too.
    let (_, v) = check(
        alice.clone(),
        serde_json::json!({"project": "pa", "deck": deck.replace("seed = 7", "seed = 7\nwindow = [0.0, 5.0]"), "datasets": [good]}),
    )
    .await;
    assert!(
        first_error(&v)["message"]
            .as_str()
            .is_some_and(|m| m.contains("at least 3")),
        "{v}"
    );

    // Access as for submission: another project's dataset does not exist for bob, pa does
    // not exist for him either, a viewer may not submit, and datasets need a project.
    let (s, v) = check(
        bob.clone(),
        serde_json::json!({"project": "pb", "deck": deck, "datasets": [good]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, _) = check(
        bob.clone(),
        serde_json::json!({"project": "pa", "deck": deck, "datasets": [good]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = g
        .call(
            &bob,
            Method::POST,
            "/api/v1/jobs",
            Some(serde_json::json!({"project": "pb", "deck": deck, "datasets": [good]})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = check(
        carol.clone(),
        serde_json::json!({"project": "pa", "deck": deck, "datasets": [good]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = check(
        alice.clone(),
        serde_json::json!({"deck": deck, "datasets": [good]}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = check(
        alice.clone(),
        serde_json::json!({"project": "pa", "deck": deck, "datasets": vec![good; 17]}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // The checked deck runs (a short chain, one rank) and its posterior samples are among the
    // job's files, as CSV and as HDF5.
    let short = deck
        .replace("steps = 2500", "steps = 50")
        .replace("burn = 300", "burn = 10")
        .replace("ranks = 2", "ranks = 1");
    let (s, v) = check(
        alice.clone(),
        serde_json::json!({"project": "pa", "deck": short, "datasets": [good]}),
    )
    .await;
    assert_eq!((s, &v["ok"]), (StatusCode::OK, &Value::Bool(true)), "{v}");
    let (s, v) = g
        .call(
            &alice,
            Method::POST,
            "/api/v1/jobs",
            Some(serde_json::json!({"project": "pa", "deck": short, "datasets": [good]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let job = v["id"].as_i64().unwrap();
    let j = g.wait_job(&alice, job, 300).await;
    assert_eq!(j["state"], "completed", "{j}");
    let (_, files) = g.get(&alice, &format!("/api/v1/jobs/{job}/files")).await;
    let listed: Vec<&str> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    for f in [
        "job/run/samples.csv",
        "job/run/samples.h5",
        "job/run/fit.csv",
    ] {
        assert!(listed.contains(&f), "{f} not in {listed:?}");
    }
    let r = g
        .http
        .get(format!(
            "{}/api/v1/jobs/{job}/files/job/run/samples.h5?download=true",
            g.url
        ))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h5 = r.bytes().await.unwrap();
    assert!(h5.starts_with(b"\x89HDF\r\n\x1a\n"), "not an HDF5 file");

    // Nothing is left staged, and the stored originals are untouched.
    let staged: Vec<String> = stored_files(&g)
        .into_iter()
        .filter(|p| p.starts_with("staging"))
        .collect();
    assert!(staged.is_empty(), "{staged:?}");
    let r = g
        .http
        .get(format!("{}/api/v1/datasets/{good}/files/original", g.url))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        std::fs::read(examples.join("calibrate_spm_discharge.csv")).unwrap()
    );
}
