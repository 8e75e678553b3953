"""Where things are kept: the database (models, sessions, migrations), blob storage, result views."""
