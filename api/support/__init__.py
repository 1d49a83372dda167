"""Support staff and what reaches them."""
