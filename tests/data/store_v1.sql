-- A study store as written by schema version 1 (fixture for the migration test).
-- Written by hand from facemetrics.store.MIGRATIONS[1] as it was released; do not regenerate from the code.
PRAGMA foreign_keys = ON;
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE subjects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    treatment TEXT NOT NULL,
    device TEXT NOT NULL DEFAULT '',
    settings_json TEXT NOT NULL DEFAULT '{}',
    treated_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (subject_id, treatment, treated_at)
);
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    sha256 TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    original_name TEXT NOT NULL DEFAULT '',
    taken_at TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (subject_id, sha256)
);
CREATE INDEX photos_session ON photos(session_id);
CREATE TABLE analyses (
    photo_sha256 TEXT NOT NULL,
    facemetrics_version TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    row_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (photo_sha256, facemetrics_version, settings_key)
);
CREATE TABLE comparisons (
    cache_key TEXT PRIMARY KEY,
    facemetrics_version TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    subject_id INTEGER REFERENCES subjects(id) ON DELETE CASCADE,
    result_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO subjects VALUES (1, 'ann', '2026-10-01T08:00:00+00:00');
INSERT INTO sessions VALUES (1, 1, 'microcurrent', 'NuFace Trinity', '{"intensity": 3}', '2026-10-01T08:00:00',
                             '2026-10-01T08:00:00+00:00');
INSERT INTO photos VALUES (1, 1, 1, 'aaaa', '@FILE_SHA@', 'photos/1/aaaa.png', 'pre.png', '2026-10-01T07:55:00',
                           'baseline', '2026-10-01T08:00:00+00:00');
INSERT INTO analyses VALUES ('@FILE_SHA@', '0.0.9', 'k0', 'ok', '{"status": "ok", "jawline_height_mm": 71.5}',
                             '2026-10-01T08:00:00+00:00');
