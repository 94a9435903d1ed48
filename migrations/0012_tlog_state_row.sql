-- The transparency log starts empty: size 0 and the root of the empty tree, SHA-256("").
INSERT INTO "tlog_state" ("id", "size", "root") VALUES (1, 0, sha256(''::bytea)) ON CONFLICT ("id") DO NOTHING;
