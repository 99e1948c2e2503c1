-- Catalogue ranking: the sort keys of GET /api/plugins/list kept on the plugins row, so every sort
-- is an index scan with keyset pagination instead of a sort over the whole catalogue.

-- Average rating (0 when unrated) and a trust score that weighs the official tier, the
-- recommended flag, installs (logarithmically) and ratings; relevance without a query sorts by it.
ALTER TABLE plugins
  ADD COLUMN rating_avg double precision GENERATED ALWAYS AS (
    CASE WHEN rating_count > 0 THEN rating_sum::double precision / rating_count ELSE 0 END
  ) STORED,
  ADD COLUMN trust_score double precision GENERATED ALWAYS AS (
    (CASE WHEN tier = 'official' THEN 1.5 ELSE 1.0 END)
    * (CASE WHEN recommended THEN 1.25 ELSE 1.0 END)
    * (1.0 + ln(1.0 + installs_count::double precision) / 4.0)
    * (1.0 + (CASE WHEN rating_count > 0 THEN rating_sum::double precision / rating_count ELSE 2.5 END)
             * least(rating_count, 20)::double precision / 100.0)
  ) STORED,
  -- Trending: the installs of every day weighted by 2^((day - 2024-01-01) / 7). Multiplying by
  -- 2^(-(today - 2024-01-01) / 7) gives installs decayed with a 7-day half-life; the order is the
  -- same on every day, so the column is a stable index key that never needs a nightly refresh.
  ADD COLUMN trending_raw double precision NOT NULL DEFAULT 0;

CREATE FUNCTION install_stats_trending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE plugins SET trending_raw = greatest(trending_raw - OLD.installs * power(2::double precision, (OLD.day - DATE '2024-01-01') / 7.0), 0)
     WHERE id = OLD.plugin_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE plugins SET trending_raw = trending_raw + NEW.installs * power(2::double precision, (NEW.day - DATE '2024-01-01') / 7.0)
     WHERE id = NEW.plugin_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER install_stats_trending_update AFTER INSERT OR UPDATE OR DELETE ON install_stats
  FOR EACH ROW EXECUTE FUNCTION install_stats_trending();

-- Only plugins with an active version are listed (latest_version is set): partial indexes per sort.
CREATE INDEX plugins_list_trust_idx ON plugins (trust_score DESC, id) WHERE latest_version IS NOT NULL;
CREATE INDEX plugins_list_rating_idx ON plugins (rating_avg DESC, id) WHERE latest_version IS NOT NULL;
CREATE INDEX plugins_list_trending_idx ON plugins (trending_raw DESC, id) WHERE latest_version IS NOT NULL;
CREATE INDEX plugins_list_installs_idx ON plugins (installs_count DESC, id) WHERE latest_version IS NOT NULL;
CREATE INDEX plugins_list_updated_idx ON plugins (updated_at DESC, id) WHERE latest_version IS NOT NULL;

-- A super-admin may knowingly publish a look-alike name (recorded as a duplicate-override
-- approval), so the normalised name is looked up, not unique.
DROP INDEX plugins_normalized_name_idx;
CREATE INDEX plugins_normalized_name_idx ON plugins (normalized_name);
