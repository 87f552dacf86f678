-- Diagnoses are the clinician's: adding, editing, resolving or voiding a problem-list entry needs
-- `problems:write`, which providers and associates hold and nurses / medical assistants do not
-- (they still record vitals, allergies, medications, immunizations, histories, alerts, goals,
-- lab values and questionnaires with `chart:write`).
INSERT INTO role_permissions (role, permission) VALUES
  ('provider', 'problems:write'),
  ('associate', 'problems:write');
