"""The spending categories (비목) of a funded project's money, in one vocabulary: the agreement's
lines (agreements) and, later, what a project spends (projects) use it.

Personnel (인건비); the direct costs — equipment (장비), materials (재료), activities (활동) and
commissioned research (위탁연구); indirect costs (간접비). "Unclassified" (미분류) is the category of
money an agreement held before categories existed (the lines of version 1 are copied from the funding
decision, which grants money per year and region, not per category): an amendment moves it into the
categories.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpendingCategory(models.TextChoices):
    UNCLASSIFIED = "unclassified", _("Unclassified")
    PERSONNEL = "personnel", _("Personnel")
    EQUIPMENT = "equipment", _("Equipment")
    MATERIALS = "materials", _("Materials")
    ACTIVITIES = "activities", _("Activities")
    COMMISSIONED = "commissioned", _("Commissioned research")
    INDIRECT = "indirect", _("Indirect costs")


# The direct costs (직접비): everything but personnel and the indirect costs.
DIRECT_CATEGORIES = frozenset({SpendingCategory.EQUIPMENT, SpendingCategory.MATERIALS,
                               SpendingCategory.ACTIVITIES, SpendingCategory.COMMISSIONED})


def is_direct(category: str) -> bool:
    return category in DIRECT_CATEGORIES
