"""FastAPI service: thin routes over ``core``. Run with ``uvicorn api.main:app``."""
