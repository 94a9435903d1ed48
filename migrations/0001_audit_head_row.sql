-- The audit chain starts empty: sequence 0 and a previous hash of 64 zeros.
INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, repeat('0', 64)) ON CONFLICT ("id") DO NOTHING;
