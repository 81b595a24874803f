from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's dev-only app: the volume-data generator (``manage.py generate_volume``).

    Installed outside production only (``bench/`` is not in the image); no product app imports it.
    """

    name = "bench"
    verbose_name = "Benchmark"
