DROP TABLE IF EXISTS federated_versions;
DROP TABLE IF EXISTS upstreams;
