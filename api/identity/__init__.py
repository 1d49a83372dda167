"""Who is calling: national identity numbers, identity providers, access tokens, roles."""
