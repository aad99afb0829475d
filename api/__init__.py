"""The kamgraph web app (FastAPI); filled by the web-app issue."""
