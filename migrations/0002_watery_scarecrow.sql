CREATE TABLE "reveal_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"request_id" text NOT NULL,
	"subject" text NOT NULL,
	"role" text NOT NULL,
	"mask" text NOT NULL,
	"field" text NOT NULL,
	"key" text NOT NULL,
	"operation" text,
	"client_address" text,
	"record_ids" jsonb NOT NULL,
	"count" integer NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"seal" text
);
