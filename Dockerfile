# kamgraph API image: serves kamgraph on port 8000 against the store named by KAMGRAPH_DB.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kamgraph ./kamgraph
COPY api ./api
COPY cypher ./cypher
RUN pip install --no-cache-dir . && useradd --create-home kamgraph
USER kamgraph
EXPOSE 8000
CMD ["kamgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
