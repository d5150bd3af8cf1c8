-- 0019: who looked at what (issue #19 §2; UU PDP 27/2022). An append-only
-- log of staff actions: sign-in and sign-out, every read of a reporter's
-- identity, exports with personal columns, changes of users, roles, texts,
-- categories, calendars, channels and keys. No API changes or deletes an
-- entry: the triggers below refuse every UPDATE, and every DELETE of an
-- entry younger than the retention in audit_policy (the retention job's
-- delete of older entries is the one delete that passes). Changing the
-- retention is itself written to the log. docs/DEPLOY.md explains what this
-- does and does not protect against.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    user_id   INTEGER,            -- who (NULL: the command line or the system)
    login     TEXT,               -- their login then (kept if the user changes)
    client    TEXT,               -- from where: the client address
    action    TEXT NOT NULL,      -- what (docs/API.md lists the actions)
    case_id   INTEGER,            -- which case, if any
    target    TEXT,               -- what else it concerned (user:12, category:3)
    detail    TEXT                -- a few words more; never personal data
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE INDEX audit_log_case ON audit_log(case_id, at) WHERE case_id IS NOT NULL;

CREATE TABLE audit_policy (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    retention_days  INTEGER NOT NULL CHECK (retention_days >= 30),
    updated_at      INTEGER NOT NULL
);
INSERT INTO audit_policy (id, retention_days, updated_at) VALUES (1, 730, 0);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.at >= CAST(strftime('%s', 'now') AS INTEGER)
              - 86400 * (SELECT retention_days FROM audit_policy WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'audit_log entries are kept for the retention period');
END;
CREATE TRIGGER audit_policy_no_delete BEFORE DELETE ON audit_policy
BEGIN
    SELECT RAISE(ABORT, 'audit_policy is required');
END;
CREATE TRIGGER audit_policy_logged AFTER UPDATE OF retention_days ON audit_policy
WHEN NEW.retention_days IS NOT OLD.retention_days
BEGIN
    INSERT INTO audit_log (at, action, target, detail)
    VALUES (CAST(strftime('%s', 'now') AS INTEGER), 'audit_retention_set', 'audit_policy',
            'days ' || OLD.retention_days || ' -> ' || NEW.retention_days);
END;
