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
RUN DJANGO_SECRET_KEY=build MASPORTAL_PATIENT_KEYS=ZGV2LW9ubHktcGF0aWVudC1rZXktMzItYnl0ZXMhIQ== \
    MASPORTAL_PATIENT_HASH_KEY=build python manage.py collectstatic --no-input
RUN useradd --create-home masportal && mkdir -p /app/var && chown -R masportal /app/var
USER masportal
EXPOSE 8000
CMD ["gunicorn", "masportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
