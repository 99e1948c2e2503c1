DROP TABLE IF EXISTS invocations;
