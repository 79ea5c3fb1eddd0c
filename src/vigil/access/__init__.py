"""Who may call the web service: API keys (stored hashed) with scopes, and one store per tenant."""
