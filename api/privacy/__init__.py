"""GDPR requests: erasure of non-medical data with a written confirmation."""
