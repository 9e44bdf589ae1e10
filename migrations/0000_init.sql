CREATE TYPE "public"."card_status" AS ENUM('pending', 'processed', 'failed');--> statement-breakpoint
CREATE TABLE "credit_cards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"name" text NOT NULL,
	"pan" text NOT NULL,
	"pan_key_version" integer NOT NULL,
	"status" "card_status" DEFAULT 'pending' NOT NULL,
	"claimed_by" text,
	"claim_expires_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "credit_cards_seq_unique" UNIQUE("seq"),
	CONSTRAINT "credit_cards_pan_is_ciphertext" CHECK ("credit_cards"."pan" ~ '^vault:v[0-9]+:')
);
--> statement-breakpoint
CREATE INDEX "credit_cards_status_seq_idx" ON "credit_cards" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "credit_cards_pan_key_version_idx" ON "credit_cards" USING btree ("pan_key_version");