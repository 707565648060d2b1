"""What the audit trail watches in programmes (called from ProgrammesConfig.ready())."""

from audit.registry import watch

from .models import (
    Call,
    CallZone,
    Guideline,
    GuidelineVersion,
    Institution,
    Programme,
    QualityRules,
    Region,
    RubricCriterion,
    StrategicIndustry,
)


def register() -> None:
    for model in (Region, StrategicIndustry, Programme, RubricCriterion, Institution, Guideline, GuidelineVersion):
        watch(model)
    watch(Call, exclude_fields=["updated_by"], m2m_fields={"eligible_regions", "strategic_industries"})
    watch(CallZone, m2m_fields={"regions"})
    watch(QualityRules, exclude_fields=["updated_by"])
