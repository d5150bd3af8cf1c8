-- 0014 (issue #13): internal notes apart from messages to the reporter,
-- walk-in and phone reporters who agreed to hear on WhatsApp, and the
-- messages of a report being composed (a conversation belongs to a case).

-- What the reporter reads of an event: sent to them on their channel and,
-- for a public event, shown on /t/{code}. `note` stays for staff only.
ALTER TABLE case_events ADD COLUMN public_note TEXT;

-- Old notes stay where they were visible. Before this, a note written by
-- staff on a public step was printed on the public page (and sent), and an
-- operator's message ('message' event) was sent: those become the public
-- text. Notes of the system or the reporter on a public step were sent but
-- never shown on the public page (a reopening reason may hold personal
-- data): they stay internal, as do all notes of internal steps. The history
-- is append-only; this one rewrite lifts the guard and puts it back.
ALTER TABLE case_events DISABLE TRIGGER case_events_no_change;
UPDATE case_events SET public_note = note, note = NULL
 WHERE note IS NOT NULL
   AND ((is_public AND actor_id IS NOT NULL AND action <> 'create') OR action = 'message');
ALTER TABLE case_events ENABLE TRIGGER case_events_no_change;

-- A walk-in or phone reporter with a mobile number who agreed (at the
-- counter, recorded by the operator) to get the case's updates on WhatsApp:
-- when. NULL: no consent, nothing is sent. WhatsApp reports need none.
ALTER TABLE cases ADD COLUMN wa_consent_at BIGINT;

-- 1 for a message the citizen sent while composing a report or request (the
-- dialogue was in, or went into, one of its steps): it joins the case the
-- report becomes; a cancelled or expired draft belongs to no case. 0: any
-- other message. NULL: logged before this migration.
ALTER TABLE messages ADD COLUMN draft SMALLINT;
