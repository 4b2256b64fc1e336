-- Instrument uploads (SQLite). Keep in step with ../postgres/0002_datasets.sql.
CREATE TABLE datasets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    instrument TEXT NOT NULL,
    technique TEXT NOT NULL,
    rows_count BIGINT NOT NULL,
    columns TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    dir TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX datasets_project ON datasets(project_id, id);
