"""The baseline endpoint: FastAPI doing one durable single-row INSERT per request, on the same
stack as the application (uvicorn[standard], SQLAlchemy async, psycopg 3, same PostgreSQL), with
none of the application's work. Served like the app: ``uvicorn bench.bare_app:app --workers 2``.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=10, max_overflow=10)
app = FastAPI()


class Row(BaseModel):
    payload: str


@app.post("/insert", status_code=201)
async def insert(row: Row) -> dict[str, int]:
    async with engine.begin() as conn:
        new_id = (
            await conn.execute(text("INSERT INTO bench.raw_insert (payload) VALUES (:p) RETURNING id"), {"p": row.payload})
        ).scalar_one()
    return {"id": new_id}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
