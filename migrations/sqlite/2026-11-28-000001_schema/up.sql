-- Vigie schema: the whole domain of docs/DOMAIN.md.
-- Written once for SQLite; the PostgreSQL migration of the same name differs only in
-- id columns (SERIAL), binary (BYTEA) and floating point (DOUBLE PRECISION) types.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE institutions (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('oversight', 'ombudsman', 'justice'))
);

CREATE TABLE violation_groups (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    icon TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL
);

CREATE TABLE violation_types (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    group_id INTEGER NOT NULL REFERENCES violation_groups (id),
    position INTEGER NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    huridocs_code TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX violation_types_group ON violation_types (group_id);

CREATE TABLE forces (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

-- Managed list of units, beside the free text a reporter types.
CREATE TABLE units (
    id INTEGER PRIMARY KEY NOT NULL,
    force_id INTEGER NOT NULL REFERENCES forces (id),
    name TEXT NOT NULL,
    UNIQUE (force_id, name)
);

CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL
);

CREATE TABLE case_statuses (
    code TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    public_code TEXT NOT NULL
);

CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    hasc TEXT NOT NULL
);

CREATE TABLE cercles (
    code TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL
);
CREATE INDEX cercles_region ON cercles (region_code);

CREATE TABLE places (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    ascii_name TEXT NOT NULL,
    alt_names TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    region_code TEXT REFERENCES regions (code),
    cercle_code TEXT REFERENCES cercles (code),
    population INTEGER
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'intake', 'investigator', 'ombudsman', 'trainer', 'monitor', 'auditor')),
    institution_id INTEGER REFERENCES institutions (id),
    locale TEXT NOT NULL DEFAULT 'fr',
    password_hash TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    totp_secret TEXT,
    totp_enabled_at TIMESTAMP,
    totp_last_step BIGINT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    second_factor_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

-- Events: the incident, to which one or more reports are linked.
CREATE TABLE events (
    id INTEGER PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    date_precision TEXT NOT NULL CHECK (date_precision IN ('exact', 'approximate', 'month', 'unknown')),
    lat REAL,
    lon REAL,
    region_code TEXT REFERENCES regions (code),
    cercle_code TEXT REFERENCES cercles (code),
    summary TEXT NOT NULL DEFAULT '',
    prior_approach BOOLEAN NOT NULL DEFAULT FALSE,
    court_pending BOOLEAN NOT NULL DEFAULT FALSE,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_occurred ON events (occurred_on);
CREATE INDEX events_cercle ON events (cercle_code, occurred_on);

-- Reports: what one person sent, as they sent it. Never edited after submission, except for
-- the triage columns (status, event link, admissibility) that staff set.
-- Privacy: no instant of submission is stored, only the day (submitted_on).
CREATE TABLE reports (
    id INTEGER PRIMARY KEY NOT NULL,
    receipt_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'under_review', 'forwarded', 'investigation', 'closed')),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api', 'monitor')),
    -- The reporter's language, so that staff messages reach them in it.
    locale TEXT NOT NULL DEFAULT 'fr',
    submitted_on DATE NOT NULL,
    narrative TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    date_precision TEXT NOT NULL CHECK (date_precision IN ('exact', 'approximate', 'month', 'unknown')),
    occurred_time TEXT,
    force_id INTEGER NOT NULL REFERENCES forces (id),
    unit_description TEXT NOT NULL DEFAULT '',
    uniform_seen TEXT NOT NULL DEFAULT '',
    insignia_seen TEXT NOT NULL DEFAULT '',
    vehicle_seen TEXT NOT NULL DEFAULT '',
    victim_count INTEGER,
    children_involved BOOLEAN NOT NULL DEFAULT FALSE,
    victim_details TEXT NOT NULL DEFAULT '',
    reporter_relation TEXT NOT NULL DEFAULT 'other' CHECK (reporter_relation IN ('victim', 'witness', 'relative', 'other')),
    reporter_name TEXT,
    reporter_contact TEXT,
    lat REAL,
    lon REAL,
    place_id INTEGER REFERENCES places (id),
    region_code TEXT REFERENCES regions (code),
    cercle_code TEXT REFERENCES cercles (code),
    location_method TEXT NOT NULL CHECK (location_method IN ('gps', 'map', 'place', 'admin')),
    monitor_id INTEGER REFERENCES users (id),
    on_behalf_of TEXT,
    consent_obtained BOOLEAN NOT NULL DEFAULT FALSE,
    event_id INTEGER REFERENCES events (id),
    admissibility TEXT NOT NULL DEFAULT 'pending' CHECK (admissibility IN ('pending', 'admissible', 'inadmissible', 'out_of_scope')),
    admissibility_reason TEXT,
    triaged_at TIMESTAMP
);
CREATE INDEX reports_queue ON reports (admissibility, id);
CREATE INDEX reports_region ON reports (region_code, id);
CREATE INDEX reports_cercle ON reports (cercle_code, id);
CREATE INDEX reports_cercle_date ON reports (cercle_code, occurred_on);
CREATE INDEX reports_occurred ON reports (occurred_on);
CREATE INDEX reports_event ON reports (event_id);
CREATE INDEX reports_monitor ON reports (monitor_id, id);

CREATE TABLE report_violations (
    report_id INTEGER NOT NULL REFERENCES reports (id),
    violation_type_id INTEGER NOT NULL REFERENCES violation_types (id),
    PRIMARY KEY (report_id, violation_type_id)
);
CREATE INDEX report_violations_type ON report_violations (violation_type_id, report_id);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    status TEXT NOT NULL REFERENCES case_statuses (code),
    assignee_id INTEGER REFERENCES users (id),
    opened_at TIMESTAMP NOT NULL,
    acknowledge_by DATE,
    triage_by DATE,
    response_due_on DATE,
    recommended_outcome TEXT,
    authority_response TEXT,
    final_outcome TEXT,
    disciplined BOOLEAN,
    closed_at TIMESTAMP,
    close_reason TEXT,
    UNIQUE (event_id, institution_id)
);
CREATE INDEX cases_institution ON cases (institution_id, id);
CREATE INDEX cases_assignee ON cases (assignee_id, id);

CREATE TABLE allegations (
    id INTEGER PRIMARY KEY NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id),
    violation_type_id INTEGER NOT NULL REFERENCES violation_types (id),
    force_id INTEGER NOT NULL REFERENCES forces (id),
    unit_id INTEGER REFERENCES units (id),
    unit_description TEXT NOT NULL DEFAULT '',
    identifiers_seen TEXT NOT NULL DEFAULT '',
    involvement TEXT NOT NULL CHECK (involvement IN ('carried_out', 'ordered', 'present', 'failed_to_prevent', 'unknown')),
    confidence TEXT NOT NULL CHECK (confidence IN ('confirmed', 'probable', 'possible', 'unknown')),
    victim_count INTEGER,
    children_involved BOOLEAN NOT NULL DEFAULT FALSE,
    victim_details TEXT NOT NULL DEFAULT '',
    destination_id INTEGER REFERENCES institutions (id),
    routing_rule_id INTEGER,
    routing_reason TEXT,
    override_reason TEXT,
    case_id INTEGER REFERENCES cases (id),
    disposition_id INTEGER REFERENCES dispositions (id),
    standard_of_proof TEXT,
    finding_reasoning TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX allegations_event ON allegations (event_id);
CREATE INDEX allegations_case ON allegations (case_id);
CREATE INDEX allegations_type ON allegations (violation_type_id);

CREATE TABLE case_transitions (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    reason TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX case_transitions_case ON case_transitions (case_id, id);

CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id);

CREATE TABLE case_actions (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    description TEXT NOT NULL,
    due_on DATE,
    done_at TIMESTAMP,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_actions_case ON case_actions (case_id);

CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    addressee TEXT NOT NULL,
    content TEXT NOT NULL,
    due_on DATE,
    sent_at TIMESTAMP,
    response TEXT,
    response_at TIMESTAMP,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recommendations_case ON recommendations (case_id);

-- Reminders already sent, so each deadline threshold is mailed once.
CREATE TABLE reminders_sent (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    threshold TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, kind, threshold)
);

CREATE TABLE routing_rules (
    id INTEGER PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    violation_group_code TEXT,
    violation_type_code TEXT,
    force_code TEXT,
    prior_approach BOOLEAN,
    court_pending BOOLEAN,
    children_involved BOOLEAN,
    destination_id INTEGER NOT NULL REFERENCES institutions (id),
    legal_basis_fr TEXT NOT NULL,
    legal_basis_en TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

-- Messages between the reporter (through the receipt) and staff.
-- Privacy: a reporter's message keeps only its day.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    author TEXT NOT NULL CHECK (author IN ('reporter', 'staff')),
    user_id INTEGER REFERENCES users (id),
    body TEXT NOT NULL,
    sent_on DATE NOT NULL
);
CREATE INDEX messages_report ON messages (report_id, id);

-- Evidence, kept in the database so that one backup holds everything.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    case_id INTEGER REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('image', 'audio', 'video', 'pdf')),
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_on DATE NOT NULL,
    uploaded_by INTEGER REFERENCES users (id)
);
CREATE INDEX attachments_report ON attachments (report_id);

-- Append-only, hash-chained: each row carries the hash of the previous row and of itself.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    actor TEXT NOT NULL,
    ip TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);

CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, next_attempt_at);

-- Training remediation.
CREATE TABLE training_norms (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    instrument TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL
);

CREATE TABLE training_modules (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL
);

CREATE TABLE violation_norms (
    violation_type_id INTEGER NOT NULL REFERENCES violation_types (id),
    norm_id INTEGER NOT NULL REFERENCES training_norms (id),
    PRIMARY KEY (violation_type_id, norm_id)
);

CREATE TABLE violation_modules (
    violation_type_id INTEGER NOT NULL REFERENCES violation_types (id),
    module_id INTEGER NOT NULL REFERENCES training_modules (id),
    PRIMARY KEY (violation_type_id, module_id)
);

CREATE TABLE remediation_actions (
    id INTEGER PRIMARY KEY NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('gap_identified', 'module_assigned', 'planned', 'delivered', 'evaluated', 'reviewed', 'closed', 'escalated')),
    issue TEXT NOT NULL,
    key_actions TEXT NOT NULL DEFAULT '',
    deadline_on DATE,
    lessons_unit TEXT NOT NULL DEFAULT '',
    lessons_institution TEXT NOT NULL DEFAULT '',
    module_id INTEGER REFERENCES training_modules (id),
    force_id INTEGER REFERENCES forces (id),
    unit TEXT NOT NULL DEFAULT '',
    region_code TEXT REFERENCES regions (code),
    partner TEXT NOT NULL DEFAULT '',
    starts_on DATE,
    ends_on DATE,
    attendance INTEGER,
    pre_score REAL,
    post_score REAL,
    review_on DATE,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
