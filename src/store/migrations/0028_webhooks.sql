-- 0028: signed outbound webhooks (issue 17 §2). One file for both engines.

-- An agency's subscriber: where to POST, the HMAC secret, the event types
-- it wants (a comma list of the known types, docs/WEBHOOKS.md). trusted
-- (set only by a superadmin): the deliveries carry the reporter's
-- details. paused_at: paused after too many failures in a row, until an
-- admin resumes it.
CREATE TABLE webhook_subscriptions (
    id                    {ID},
    agency_id             {BIGINT} NOT NULL REFERENCES agencies(id){DEFERRABLE},
    url                   TEXT NOT NULL,
    secret                TEXT NOT NULL,
    events                TEXT NOT NULL,
    description           TEXT,
    active                {BOOL} NOT NULL DEFAULT {TRUE},
    trusted               {BOOL} NOT NULL DEFAULT {FALSE},
    paused_at             {BIGINT},
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    created_at            {BIGINT} NOT NULL,
    updated_at            {BIGINT} NOT NULL
);
CREATE INDEX webhook_subscriptions_agency ON webhook_subscriptions(agency_id);

-- One event to one subscriber, written in the transaction of the change
-- (the outbox pattern). body: rendered at the first attempt, then kept as
-- it was sent (every retry sends the same bytes).
CREATE TABLE webhook_deliveries (
    id               {ID},
    subscription_id  {BIGINT} NOT NULL REFERENCES webhook_subscriptions(id){DEFERRABLE},
    event_type       TEXT NOT NULL,
    case_id          {BIGINT} REFERENCES cases(id){DEFERRABLE},
    event_id         {BIGINT} REFERENCES case_events(id){DEFERRABLE},
    body             TEXT,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  {BIGINT} NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    created_at       {BIGINT} NOT NULL,
    expires_at       {BIGINT} NOT NULL,  -- retried until then (24 h; a manual retry renews it)
    delivered_at     {BIGINT}
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, id)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries(subscription_id, id);
