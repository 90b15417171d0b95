-- Encryption at rest, phase 2 (issue 15): a report's protected fields (narrative, victim
-- details, reporter name and contact, the person a monitor filed for) sealed together under
-- the report's own random data key (`reports.sealed`; the clear columns are then left empty),
-- and that data key sealed to each holder: the intake desk's group key at filing, an
-- institution's group key when a case on the report's event is opened there, to the reporter
-- under a key derived from the receipt, and to the monitor who filed it (`report_keys`; the
-- last two hold no group key). Messages of a sealed report are sealed under the same key.
-- A share that could not be made in the routing officer's request (they did not hold the
-- key yet) waits in `report_keys_wanted` until a holder signs in.
ALTER TABLE reports ADD COLUMN sealed TEXT;
-- An evidence file of a sealed report is stored sealed (its staff copy too): the SHA-256 of
-- the stored bytes lets a restore check them; `sha256` stays the original's, for custody.
ALTER TABLE attachments ADD COLUMN stored_sha256 TEXT;
CREATE TABLE report_keys (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    group_key_id INTEGER REFERENCES group_keys (id),
    sealed TEXT NOT NULL,
    PRIMARY KEY (report_id, holder)
);
CREATE TABLE report_keys_wanted (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    PRIMARY KEY (report_id, holder)
);
