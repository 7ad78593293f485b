"""Shared data of the agent tests: a problem text and formulations of it."""

from __future__ import annotations

TEXT = ("Giapetto makes soldiers and trains. A soldier earns $3 profit and needs 2 finishing "
        "hours and 1 carpentry hour; a train earns $2 and needs 1 finishing hour and 1 "
        "carpentry hour. 100 finishing hours and 80 carpentry hours are available, and at most "
        "40 soldiers sell. Maximize profit.")


def good() -> dict:
    """A valid formulation of TEXT (optimum 180)."""
    return {
        "name": "giapetto",
        "assumptions": ["Toys are whole units."],
        "sets": [{"name": "Toys", "elements": ["soldiers", "trains"]}],
        "parameters": [
            {"name": "profit", "index": ["Toys"], "values": [
                {"index": ["soldiers"], "value": 3}, {"index": ["trains"], "value": 2}]},
            {"name": "finishing", "index": ["Toys"], "values": [
                {"index": ["soldiers"], "value": 2}, {"index": ["trains"], "value": 1}]},
            {"name": "carpentry", "index": ["Toys"], "values": [
                {"index": ["soldiers"], "value": 1}, {"index": ["trains"], "value": 1}]},
        ],
        "variables": [{"name": "make", "index": ["Toys"], "domain": "integer"}],
        "constraints": [
            {"name": "finishing_hours", "expression": "sum(finishing[t] * make[t] for t in Toys) <= 100"},
            {"name": "carpentry_hours", "expression": "sum(carpentry[t] * make[t] for t in Toys) <= 80"},
            {"name": "soldier_demand", "expression": "make['soldiers'] <= 40"},
        ],
        "objective": {"sense": "maximize", "expression": "sum(profit[t] * make[t] for t in Toys)"},
    }


def unknown_symbol() -> dict:
    f = good()
    f["constraints"][0]["expression"] = "sum(finishin[t] * make[t] for t in Toys) <= 100"
    return f


def infeasible() -> dict:
    f = good()
    f["constraints"].append({"name": "min_soldiers", "expression": "make['soldiers'] >= 60"})
    return f
