"""Placeholder: replaced by the diagnose implementation."""
from optimus.result import Diagnosis


def diagnose(f, lp, result, options=None):
    return Diagnosis(kind="ok") if result.status == "optimal" else Diagnosis(kind=result.status)
