-- The votes of one college decision keep the order its request listed them in (cast in one
-- transaction, they may share a cast_at); null for a vote cast alone.
ALTER TABLE "ratification_votes" ADD COLUMN "college_decision_position" smallint;