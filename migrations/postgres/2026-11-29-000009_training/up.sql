-- Issue 12: the trainers' side. Units become a managed list with a region, an optional parent
-- and strength (approximate headcount, so that rates compare per head) and a normalised search
-- key (lower case, no accents, no spaces or punctuation: "GTIA 8" and "gtia8" meet).
ALTER TABLE units ADD COLUMN region_code TEXT REFERENCES regions (code);
ALTER TABLE units ADD COLUMN parent_id INTEGER REFERENCES units (id);
ALTER TABLE units ADD COLUMN strength INTEGER CHECK (strength IS NULL OR strength > 0);
ALTER TABLE units ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
CREATE INDEX units_search ON units (search_key);
CREATE INDEX allegations_unit ON allegations (unit_id);

-- Training partners: national schools and international partners. A trainer belongs to one.
CREATE TABLE partners (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('national_school', 'international')),
    created_at TIMESTAMP NOT NULL
);
ALTER TABLE users ADD COLUMN partner_id INTEGER REFERENCES partners (id);

-- A training session: a partner delivers modules to units. Planned dates, then the dates it
-- was held; status planned -> confirmed -> delivered | cancelled. go_ahead_reason is the
-- written reason a trainer gave to plan despite another partner's overlapping offer.
CREATE TABLE training_sessions (
    id SERIAL PRIMARY KEY,
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    status TEXT NOT NULL CHECK (status IN ('planned', 'confirmed', 'delivered', 'cancelled')),
    planned_from DATE NOT NULL,
    planned_to DATE NOT NULL,
    held_from DATE,
    held_to DATE,
    region_code TEXT REFERENCES regions (code),
    attendance INTEGER,
    pre_score DOUBLE PRECISION,
    post_score DOUBLE PRECISION,
    go_ahead_reason TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX training_sessions_partner ON training_sessions (partner_id);

CREATE TABLE session_modules (
    session_id INTEGER NOT NULL REFERENCES training_sessions (id),
    module_id INTEGER NOT NULL REFERENCES training_modules (id),
    PRIMARY KEY (session_id, module_id)
);
CREATE INDEX session_modules_module ON session_modules (module_id);

CREATE TABLE session_units (
    session_id INTEGER NOT NULL REFERENCES training_sessions (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (session_id, unit_id)
);
CREATE INDEX session_units_unit ON session_units (unit_id);

-- Remediation actions now point at the managed unit, the partner and the session; the key
-- actions, each with its deadline, are rows of their own; reminders are sent once.
ALTER TABLE remediation_actions ADD COLUMN unit_id INTEGER REFERENCES units (id);
ALTER TABLE remediation_actions ADD COLUMN partner_id INTEGER REFERENCES partners (id);
ALTER TABLE remediation_actions ADD COLUMN session_id INTEGER REFERENCES training_sessions (id);
ALTER TABLE remediation_actions ADD COLUMN review_reminded_on DATE;
CREATE INDEX remediation_actions_unit ON remediation_actions (unit_id);

CREATE TABLE remediation_key_actions (
    id SERIAL PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES remediation_actions (id),
    description TEXT NOT NULL,
    due_on DATE NOT NULL,
    done_at TIMESTAMP,
    reminded_on DATE
);
CREATE INDEX remediation_key_actions_action ON remediation_key_actions (action_id);
