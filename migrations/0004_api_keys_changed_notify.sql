-- Every instance caches the principals of the API keys it has seen. Any change to a key that is
-- already stored (revocation, a new hash for the bootstrap key, a deletion, by the service or by
-- hand in SQL) tells every instance, on commit, to forget what it cached.
CREATE OR REPLACE FUNCTION "notify_api_keys_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('eszl_api_keys_changed', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "api_keys_changed" AFTER UPDATE OR DELETE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "notify_api_keys_changed"();
--> statement-breakpoint
CREATE TRIGGER "api_keys_truncated" AFTER TRUNCATE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "notify_api_keys_changed"();
