CREATE TABLE "reveal_reservations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"subject" text NOT NULL,
	"field" text NOT NULL,
	"role" text NOT NULL,
	"mask" text NOT NULL,
	"count" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "reveal_reservations_grant_idx" ON "reveal_reservations" USING btree ("subject","field","role","mask");--> statement-breakpoint
CREATE INDEX "reveal_reservations_request_idx" ON "reveal_reservations" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "reveal_events_subject_grant_at_idx" ON "reveal_events" USING btree ("subject","field","role","mask","at");