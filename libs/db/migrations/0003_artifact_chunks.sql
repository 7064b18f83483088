-- Stored artifacts as fixed-size chunks instead of one bytea value: a 200 MB run.zip is written as it is produced
-- and read in order, a chunk at a time, so neither the worker nor the artifacts service (nor PGlite's single
-- process) ever holds the whole value. A blob is immutable once written; the plan points at its current blob.
-- Rows written before this migration keep their run_zip_snapshot column and stay readable (the reader takes the
-- blob when there is one, else the column).
CREATE TABLE IF NOT EXISTS artifact_blobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  size bigint NOT NULL DEFAULT 0,
  chunk_bytes integer NOT NULL,
  -- null while the blob is being written; nothing points at it until it is whole
  sha256 char(64),
  created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX IF NOT EXISTS ix_artifact_blobs_plan_id ON artifact_blobs (plan_id);

CREATE TABLE IF NOT EXISTS artifact_chunks (
  blob_id bigint NOT NULL REFERENCES artifact_blobs (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (blob_id, seq)
);
-- zip bytes do not compress: skip pglz's attempt on write and its check on read
ALTER TABLE artifact_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

ALTER TABLE plans ADD COLUMN IF NOT EXISTS run_zip_blob_id bigint;

-- A blob the plan no longer points at (a newer snapshot, a retry clearing artifacts) is deleted in the same
-- transaction as the update that let go of it. A reader pinned to it either sees it whole (one snapshot) or
-- finds chunks missing and ends with "changed while it was read".
CREATE OR REPLACE FUNCTION planexe_drop_replaced_zip_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM artifact_blobs WHERE id = OLD.run_zip_blob_id;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS plans_drop_replaced_zip_blob ON plans;
CREATE TRIGGER plans_drop_replaced_zip_blob AFTER UPDATE OF run_zip_blob_id ON plans FOR EACH ROW
  WHEN (OLD.run_zip_blob_id IS NOT NULL AND OLD.run_zip_blob_id IS DISTINCT FROM NEW.run_zip_blob_id)
  EXECUTE FUNCTION planexe_drop_replaced_zip_blob();
