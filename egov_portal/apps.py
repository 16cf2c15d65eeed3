"""django-axes under Vietnamese names in the admin (issue 19, item 12).

django-axes names its app "Axes" and its models in English, with no setting to change them.
This AppConfig is django-axes' own with a verbose name; its ready() gives the models
Vietnamese names. Only the names the admin shows change: the models' options as migrations
see them (Meta's original attributes) stay django-axes', so no migration follows.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _

MODEL_NAMES = {
    "accessattempt": (_("lần đăng nhập sai"), _("Các lần đăng nhập sai")),
    "accessattemptexpiration": (_("hạn khóa đăng nhập"), _("Các hạn khóa đăng nhập")),
    "accessfailurelog": (_("nhật ký đăng nhập sai"), _("Nhật ký đăng nhập sai")),
    "accesslog": (_("nhật ký đăng nhập"), _("Nhật ký đăng nhập")),
}


class AxesConfig(AxesAppConfig):
    verbose_name = _("Chống dò mật khẩu")

    def ready(self) -> None:
        super().ready()
        for model in self.get_models():
            names = MODEL_NAMES.get(model._meta.model_name)
            if names is not None:
                model._meta.verbose_name, model._meta.verbose_name_plural = names
