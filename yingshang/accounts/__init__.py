"""Users, roles, departments, jurisdictions, enterprise bindings, two-factor login."""
