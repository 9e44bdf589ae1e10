ALTER TABLE "credit_cards" DROP CONSTRAINT "credit_cards_pan_is_ciphertext";--> statement-breakpoint
ALTER TABLE "credit_cards" drop column "pan_key_version";--> statement-breakpoint
ALTER TABLE "credit_cards" ADD COLUMN "pan_key_version" integer GENERATED ALWAYS AS ((substring("pan" from '^vault:v([0-9]+):'))::integer) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_cards" ADD CONSTRAINT "credit_cards_pan_is_ciphertext" CHECK ("pan" ~ '^vault:v[0-9]+:');--> statement-breakpoint
CREATE INDEX "credit_cards_pan_key_version_idx" ON "credit_cards" USING btree ("pan_key_version");