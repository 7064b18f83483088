-- The reconciler's re-feed counter: a plan's queue job id is <plan>@<attempt>.<takeover_generation>, so a re-feed
-- after a lost queue or a dead worker gets a new id that the queue's de-duplication of a stale job record cannot
-- swallow. Bumped only by the reconciler; plan_retry / plan_resume start a new attempt instead.
ALTER TABLE plans ADD COLUMN IF NOT EXISTS takeover_generation integer NOT NULL DEFAULT 0;
