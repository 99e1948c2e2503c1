DROP TABLE IF EXISTS fix_outcomes;
DROP TABLE IF EXISTS fix_suggestions;
DROP TABLE IF EXISTS debug_snapshots;
DROP TABLE IF EXISTS debug_error_fingerprints;
DROP TABLE IF EXISTS debug_sessions;
