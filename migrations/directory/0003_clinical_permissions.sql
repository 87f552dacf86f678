-- The clinical record. Only clinical roles read clinical data:
--   provider    charts, writes and signs notes alone, co-signs for associates;
--   associate   (students, residents, associates) charts and signs, but their notes wait for a co-signature;
--   nurse       (nurses, medical assistants) records vitals, allergies, medications, immunizations,
--               questionnaires and documents, and reads the chart, but writes no notes.
-- Front desk and billers see what their work needs: front desk files scanned administrative
-- documents (insurance cards, IDs, consent forms) and reads those; billers read encounters with their
-- diagnosis codes (no note text) and the administrative documents. Owners and administrators
-- manage the clinic's templates and questionnaires, which hold no patient data.
INSERT INTO roles (name, label, scope, rank) VALUES
  ('nurse', 'Nurse / medical assistant', 'clinic', 28),
  ('associate', 'Associate / student clinician', 'clinic', 26);
--> statement-breakpoint
INSERT INTO role_permissions (role, permission) VALUES
  ('nurse', 'patients:read'), ('nurse', 'patients:write'), ('nurse', 'schedule:read'),
  ('associate', 'patients:read'), ('associate', 'schedule:read'),
  ('provider', 'chart:read'), ('provider', 'chart:write'),
  ('provider', 'notes:write'), ('provider', 'notes:sign'), ('provider', 'notes:sign_unsupervised'), ('provider', 'notes:cosign'),
  ('provider', 'templates:write'), ('provider', 'templates:share'), ('provider', 'questionnaires:manage'),
  ('provider', 'attachments:read'), ('provider', 'attachments:read_admin'), ('provider', 'attachments:upload'), ('provider', 'attachments:delete'),
  ('associate', 'chart:read'), ('associate', 'chart:write'),
  ('associate', 'notes:write'), ('associate', 'notes:sign'), ('associate', 'templates:write'),
  ('associate', 'attachments:read'), ('associate', 'attachments:read_admin'), ('associate', 'attachments:upload'),
  ('nurse', 'chart:read'), ('nurse', 'chart:write'),
  ('nurse', 'attachments:read'), ('nurse', 'attachments:read_admin'), ('nurse', 'attachments:upload'), ('nurse', 'attachments:delete'),
  ('front_desk', 'attachments:upload'), ('front_desk', 'attachments:read_admin'),
  ('biller', 'encounters:read_billing'), ('biller', 'attachments:read_admin'),
  ('owner', 'templates:share'), ('owner', 'questionnaires:manage'),
  ('admin', 'templates:share'), ('admin', 'questionnaires:manage'),
  ('chain_admin', 'templates:share'), ('chain_admin', 'questionnaires:manage');
