"""Arrows point down: the package has no module-level import cycle, the leaf types import nothing of naslens, and
the generic layers never import a concrete space (they go through ``naslens.spaces``' protocol)."""

from __future__ import annotations

from tests.import_graph import cycles, graph, imports, modules

CONCRETE = ("naslens.spaces.nb201", "naslens.spaces.nb_macro")
GENERIC = (
    "naslens.estimators",
    "naslens.analysis",
    "naslens.report",
    "naslens.criteria",
    "naslens.evaluation",
    "naslens.evaluation_scores",
    "naslens.evaluation_coverage",
    "naslens.predictor_eval",
    "naslens.predictor_data",
    "naslens.predictor_plan",
    "naslens.predictor_runlog",
    "naslens.predictor_multistage",
    "naslens.subsets",
    "naslens.selection",
    "naslens.store",
    "naslens.run_context",
    "naslens.types",
    "naslens.registry",
    "naslens.cli",
    "naslens.cli_score",
    "naslens.cli_oneshot",
    "naslens.cli_oneshot_prune",
    "naslens.cli_report",
    "naslens.cli_bench",
    "naslens.cli_errors",
    "naslens.cli_export",
    "naslens.cli_listings",
    "naslens.cli_predictor",
    "naslens.cli_search",
    "naslens.cli_search_pt",
    "naslens.search",
    "naslens.benchmarks.builder",
    "naslens.benchmarks.build_plan",
    "naslens.benchmarks.build_folder",
    "naslens.benchmarks.build_export",
    "naslens.benchmarks.train",
    "naslens.benchmarks.recipe",
    "naslens.spaces._protocol",
    "naslens.spaces.coded",
    "naslens.spaces.check",
)


def test_no_module_level_import_cycle() -> None:
    assert cycles(graph("naslens", top_level_only=True)) == []


def test_types_is_a_leaf() -> None:
    known = modules()
    found = imports(known["naslens.types"], "naslens.types", known, top_level_only=False)
    assert not {i for i in found if i.startswith("naslens")}


def test_generic_layers_never_import_a_concrete_space() -> None:
    known = modules()
    offenders = {}
    for mod, path in known.items():
        if not any(mod == g or mod.startswith(g + ".") for g in GENERIC):
            continue
        bad = {i for i in imports(path, mod, known, top_level_only=False) if i.startswith(CONCRETE)}
        if bad:
            offenders[mod] = sorted(bad)
    assert offenders == {}
