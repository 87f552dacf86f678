-- Whether the clinic keeps charts to the care team (src/emergency/care-team.ts): staff outside a
-- patient's care team open the chart only under an emergency grant with a reason. Clinics that
-- exist when this ships keep charts open to every clinical role, so nobody loses access on
-- deploy; `npm run clinic:create` registers new clinics with it on; an administrator changes it
-- at /audit/emergency.
ALTER TABLE `clinics` ADD `care_team_only` integer DEFAULT 0 NOT NULL;
