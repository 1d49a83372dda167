"""The patient chat page: static HTML, CSS and JavaScript modules served by the API."""
