from django.apps import AppConfig


class Dhis2ApiConfig(AppConfig):
    name = "dhis2_api"
    verbose_name = "DHIS2 Web API"

    def ready(self) -> None:
        from dhis2_api import directory

        directory.follow_units()
