ALTER TABLE "credit_cards" ADD COLUMN "pan_index" text;--> statement-breakpoint
ALTER TABLE "credit_cards" ADD COLUMN "pan_index_key_version" integer GENERATED ALWAYS AS ((substring("pan_index" from '^vault:v([0-9]+):'))::integer) STORED;--> statement-breakpoint
CREATE INDEX "credit_cards_pan_index_key_version_idx" ON "credit_cards" USING btree ("pan_index_key_version");--> statement-breakpoint
CREATE INDEX "credit_cards_pan_index_idx" ON "credit_cards" USING btree ("pan_index");--> statement-breakpoint
ALTER TABLE "credit_cards" ADD CONSTRAINT "credit_cards_pan_index_is_hmac" CHECK ("pan_index" is null or "pan_index" ~ '^vault:v[0-9]+:');