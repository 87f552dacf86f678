-- Scheduling permissions: reading and changing the calendar, and setting it up.
INSERT INTO role_permissions (role, permission) VALUES
  ('owner', 'schedule:read'), ('owner', 'schedule:write'), ('owner', 'scheduling:setup'),
  ('admin', 'schedule:read'), ('admin', 'schedule:write'), ('admin', 'scheduling:setup'),
  ('chain_admin', 'schedule:read'), ('chain_admin', 'schedule:write'), ('chain_admin', 'scheduling:setup'),
  ('provider', 'schedule:read'), ('provider', 'schedule:write'),
  ('front_desk', 'schedule:read'), ('front_desk', 'schedule:write'),
  ('biller', 'schedule:read');
