-- Galvana gateway schema (PostgreSQL). Keep in step with ../sqlite/0001_init.sql.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    is_admin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE projects (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    plan TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE memberships (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    PRIMARY KEY (project_id, user_id)
);
CREATE TABLE tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    backend TEXT NOT NULL,
    scheduler_id TEXT,
    campaign_id TEXT,
    dir TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    ntasks BIGINT NOT NULL,
    gpus BIGINT NOT NULL,
    array_tasks BIGINT NOT NULL,
    walltime_s BIGINT NOT NULL,
    reserved_core_s BIGINT NOT NULL,
    reserved_gpu_s BIGINT NOT NULL,
    reservation_month TEXT NOT NULL,
    deck_hash TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    started_at BIGINT,
    ended_at BIGINT,
    settled_at BIGINT
);
CREATE INDEX jobs_project ON jobs(project_id, id);
CREATE INDEX jobs_state ON jobs(state);
CREATE TABLE quota_usage (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    month TEXT NOT NULL,
    core_s BIGINT NOT NULL DEFAULT 0,
    gpu_s BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, month)
);
CREATE TABLE ledger (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    job_id BIGINT REFERENCES jobs(id),
    kind TEXT NOT NULL CHECK (kind IN ('reservation', 'charge', 'release', 'credit')),
    month TEXT NOT NULL,
    core_s BIGINT NOT NULL,
    gpu_s BIGINT NOT NULL,
    amount_micro BIGINT NOT NULL,
    source_key TEXT UNIQUE,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_project_month ON ledger(project_id, month, id);
-- The ledger is append-only: the database refuses edits and deletions.
CREATE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the ledger is append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
