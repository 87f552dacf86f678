-- Roles and the permissions each grants. Authorization is data: the service layer checks
-- permissions, never role names. Change grants with a new migration.
INSERT INTO roles (name, label, scope, rank) VALUES
  ('owner', 'Owner', 'clinic', 50),
  ('admin', 'Administrator', 'clinic', 40),
  ('provider', 'Provider', 'clinic', 30),
  ('front_desk', 'Front desk', 'clinic', 20),
  ('biller', 'Biller', 'clinic', 10),
  ('chain_admin', 'Chain administrator', 'organization', 45);
--> statement-breakpoint
INSERT INTO role_permissions (role, permission) VALUES
  ('owner', 'patients:read'), ('owner', 'patients:write'),
  ('owner', 'audit:read'), ('owner', 'audit:export'),
  ('owner', 'staff:read'), ('owner', 'staff:manage'), ('owner', 'staff:assign_owner'),
  ('admin', 'patients:read'), ('admin', 'patients:write'),
  ('admin', 'audit:read'), ('admin', 'audit:export'),
  ('admin', 'staff:read'), ('admin', 'staff:manage'),
  ('chain_admin', 'patients:read'), ('chain_admin', 'patients:write'),
  ('chain_admin', 'audit:read'), ('chain_admin', 'audit:export'),
  ('chain_admin', 'staff:read'), ('chain_admin', 'staff:manage'),
  ('provider', 'patients:read'), ('provider', 'patients:write'),
  ('front_desk', 'patients:read'), ('front_desk', 'patients:write'),
  ('biller', 'patients:read');
