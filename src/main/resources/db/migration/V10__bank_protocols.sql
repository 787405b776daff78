-- Which protocol a bank speaks, so that a bank with another API is one more connector, chosen per bank.
ALTER TABLE external_banks ADD COLUMN protocol text NOT NULL DEFAULT 'paygate-bank-api-v1'
    CHECK (protocol ~ '^[a-z0-9][a-z0-9-]{0,62}$');
