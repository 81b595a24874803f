# Production image of MAS-portalen (web, worker and beat share it).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
# No keys at build time: collectstatic needs none, and the running containers
# refuse to start without their own (masportal/checks.py).
RUN python manage.py collectstatic --no-input
RUN useradd --create-home masportal && mkdir -p /app/var && chown -R masportal /app/var
USER masportal
EXPOSE 8000
# Workers, threads, timeouts and the access log: gunicorn.conf.py (read from /app).
CMD ["gunicorn", "masportal.wsgi:application", "--bind", "0.0.0.0:8000"]
