-- The outbox carries every event, not only transaction changes: a bank's circuit opening is an
-- event too. partition_key is the Kafka key (an account id for transaction events, so one
-- account's events stay in order; a bank id for bank events). payload is the event's data.
ALTER TABLE outbox ALTER COLUMN account_id DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN transaction_id DROP NOT NULL;
ALTER TABLE outbox RENAME COLUMN snapshot TO payload;
ALTER TABLE outbox ADD COLUMN partition_key text;
UPDATE outbox SET partition_key = account_id::text;
ALTER TABLE outbox ALTER COLUMN partition_key SET NOT NULL;
ALTER TABLE outbox ADD COLUMN subject text;
UPDATE outbox SET subject = transaction_id::text;
ALTER TABLE outbox ALTER COLUMN subject SET NOT NULL;
