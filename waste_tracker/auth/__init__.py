"""Authentication (passwords, tokens, API keys) and the acting principal."""
