"""``check_predictor``: the public contract every predictor passes (naslens' tests run it over every registered
predictor on every built-in space; whoever writes a predictor runs it on theirs).

Checks, in this order, stopping at the first violation (:class:`PredictorCheckError`, an ``AssertionError``):

- ``init``: ``__init__`` only stores its arguments: ``clone`` works (scikit-learn refuses a constructor that alters
  an argument), rebuilding the predictor from ``get_params()`` sets exactly those attributes and no learned ``*_``
  attribute exists before ``fit``;
- ``clone``: ``sklearn.base.clone`` gives an object of the same class with equal ``get_params``;
- ``set_params``: ``set_params(**one param)`` returns the predictor and ``get_params`` shows the new value; an
  unknown name raises ``ValueError``;
- ``unfitted``: ``predict`` before ``fit`` raises :class:`~naslens.estimators.predictors.base.PredictorError`;
- ``nan_targets``: a NaN target is refused with ``PredictorError``;
- ``fit``: ``fit`` returns the predictor itself and leaves ``get_params`` unchanged;
- ``predict``: an ``ndarray`` of shape ``(n,)``, dtype float64, finite; ``predict([])`` has shape ``(0,)``;
- ``aligned``: predicting a permuted list permutes the scores, predicting a prefix gives the prefix of the scores
  (a score depends on its architecture only, not on what else is in the batch);
- ``deterministic``: two fits with the same parameters (same ``random_state``) give identical predictions
  (different seeds may differ);
- ``keys``: architecture keys (``space.key``) are accepted wherever architectures are, with equal results, both
  for ``predict`` and for ``fit``;
- ``clone_fitted``: cloning a fitted predictor gives an unfitted copy (``predict`` raises ``PredictorError``);
- ``learns``: fitted on ``n_train`` architectures with a synthetic target, the Kendall τ on ``n_test`` other
  architectures exceeds ``min_tau`` (0.9). The target is chosen from the encoding the predictor declares
  (:func:`~naslens.estimators.predictors.synthetic.default_target`): a position-wise linear function of the codes for
  encoding-based predictors, of the ops on live edges (those on an input→output path) for graph predictors, which
  by design cannot see an op no path goes through, and the space's cost columns for feature-based predictors.

``quick=True`` (the default) bounds the cost of predictors with an ``epochs`` hyperparameter through
``set_params``: the mechanical checks above train for at most :data:`QUICK_MECHANICS_EPOCHS` epochs and the
``learns`` check for at most ``quick_epochs`` (150; with 100, GATES on NB201 sat on the margin, τ ≈ 0.895–0.90
depending on the CPU). Nothing here depends on a predictor's name: what a check needs comes from ``get_params``
(``space``, ``epochs``, ``random_state``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import clone

from naslens.estimators.predictors.base import PredictorError
from naslens.estimators.predictors.synthetic import default_target, synthetic_target

__all__ = ["CHECKS", "PredictorCheckError", "check_predictor", "contract_archs", "synthetic_target"]

QUICK_MECHANICS_EPOCHS = 5
"""Epochs of the mechanical fits (determinism, keys, alignment) in quick mode."""


class PredictorCheckError(AssertionError):
    """A predictor broke the contract; the message names the check and the reason."""


def contract_archs(space: Any, n: int, seed: int = 0) -> list[Any]:
    """``n`` distinct architectures of ``space`` drawn with ``space.sample`` (seeded)."""
    rng = np.random.default_rng(seed)
    seen: dict[str, Any] = {}
    for _ in range(50 * n):
        a = space.sample(rng)
        seen.setdefault(space.key(a), a)
        if len(seen) == n:
            return list(seen.values())
    raise PredictorCheckError(f"could not draw {n} distinct architectures of {space.info.name} to check on")


def _same(a: Any, b: Any) -> bool:
    """Equal parameter values; objects compared by identity only (a space object) count as equal to their copy
    (``clone`` deep-copies parameters that are not estimators)."""
    if a is b:
        return True
    if type(a) is type(b) and type(a).__eq__ is object.__eq__:
        return True
    try:
        return bool(np.all(a == b))
    except Exception:  # objects whose comparison is not a boolean count as different
        return False


def _registered_name(space: Any) -> str | None:
    from naslens.spaces import get_space

    try:
        return space.info.name if get_space(space.info.name) is space else None  # type: ignore[no-any-return]
    except Exception:  # not registered under its name
        return None


def _fail(check: str, message: str) -> None:
    raise PredictorCheckError(f"{check}: {message}")


def _refuses(check: str, what: str, fn: Callable[[], Any]) -> None:
    try:
        fn()
    except PredictorError:
        return
    except Exception as e:  # anything but PredictorError breaks the contract
        _fail(check, f"{what} raised {type(e).__name__} ({e}); expected PredictorError")
    _fail(check, f"{what} did not raise PredictorError")


def check_predictor(
    predictor: Any,
    space: Any = "nb201",
    *,
    n_train: int = 300,
    n_test: int = 300,
    quick: bool = True,
    quick_epochs: int = 150,
    min_tau: float = 0.9,
    seed: int = 0,
    target: Callable[[Any, Sequence[Any]], np.ndarray] | None = None,
) -> dict[str, Any]:
    """Run the contract (see the module docstring) on ``predictor`` (an unfitted instance; it is not modified).

    Args:
        predictor: the predictor to check; its ``space`` hyperparameter, if it has one, is set to ``space``.
        space: registered space name or space object the checks draw architectures from.
        n_train: architectures the ``learns`` check fits on.
        n_test: other architectures its Kendall τ is measured on.
        quick: cap ``epochs`` (where the predictor has it) as the module docstring says.
        quick_epochs: the cap of the ``learns`` fit in quick mode.
        min_tau: the Kendall τ the ``learns`` check must exceed.
        seed: draws the architectures and the synthetic target.
        target: ``(space, archs) -> y``; default: :func:`~naslens.estimators.predictors.synthetic.default_target`
            of the predictor's declared encoding, with ``seed``.

    Returns:
        ``{"checks": names of the checks passed, "kendall_tau": τ of the learns check}``.

    Raises:
        PredictorCheckError: on the first violated check, naming it.

    Example:
        >>> from naslens.estimators.predictors import create_predictor
        >>> report = check_predictor(create_predictor("gradient_boosting"), "nb-macro", n_train=200, n_test=100)
        >>> report["kendall_tau"] > 0.9
        True
    """
    from naslens.spaces import get_space

    space = get_space(space)
    info = getattr(predictor, "info", None)
    label = f"check_predictor({getattr(info, 'name', type(predictor).__name__)} on {space.info.name})"
    passed: list[str] = []
    try:
        tau = _run(predictor, space, passed, n_train, n_test, quick, quick_epochs, min_tau, seed, target)
    except PredictorCheckError as e:
        raise PredictorCheckError(f"{label} {e}") from None
    except Exception as e:  # a crash is a violation of the check that was running
        check = CHECKS[len(passed)] if len(passed) < len(CHECKS) else "?"
        raise PredictorCheckError(f"{label} {check}: raised {type(e).__name__}: {e}") from e
    return {"checks": tuple(passed), "kendall_tau": tau}


CHECKS = (
    "init",
    "clone",
    "set_params",
    "unfitted",
    "nan_targets",
    "fit",
    "predict",
    "aligned",
    "deterministic",
    "keys",
    "clone_fitted",
    "learns",
)
"""The checks, in the order they run."""


def _run(
    predictor: Any,
    space: Any,
    passed: list[str],
    n_train: int,
    n_test: int,
    quick: bool,
    quick_epochs: int,
    min_tau: float,
    seed: int,
    target: Callable[[Any, Sequence[Any]], np.ndarray] | None,
) -> float:
    from naslens.criteria import kendall_tau

    params = predictor.get_params(deep=False)
    base = clone(predictor)
    if "space" in params:  # the registered name where there is one (clone deep-copies a space object)
        registered = _registered_name(space)
        base.set_params(space=registered if registered is not None else space)

    def with_epochs(p: Any, cap: int) -> Any:
        if quick and "epochs" in params and int(params["epochs"]) > cap:
            p.set_params(epochs=cap)
        return p

    # ---- init: only stores the arguments
    given = base.get_params(deep=False)
    fresh = type(base)(**given)
    attrs = dict(vars(fresh))
    learned = [k for k in attrs if k.endswith("_") and not k.startswith("__")]
    if learned:
        _fail("init", f"learned attributes {learned} exist before fit (__init__ must only store its arguments)")
    extra = sorted(set(attrs) - set(given))
    missing = sorted(set(given) - set(attrs))
    if extra or missing:
        _fail("init", f"__init__ must store exactly its arguments: extra attributes {extra}, unset {missing}")
    passed.append("init")

    # ---- clone / set_params
    twin = clone(base)
    if type(twin) is not type(base):
        _fail("clone", f"clone gave a {type(twin).__name__}, not a {type(base).__name__}")
    diff = [k for k, v in base.get_params(deep=False).items() if not _same(twin.get_params(deep=False)[k], v)]
    if diff:
        _fail("clone", f"clone changed the parameters {diff}")
    passed.append("clone")
    probe = clone(base)
    if "random_state" in params:  # else the first parameter, set to its own value
        change = {"random_state": (0 if params["random_state"] is None else int(params["random_state"])) + 1}
    else:
        change = dict(sorted(given.items())[:1])
    if probe.set_params(**change) is not probe or any(not _same(probe.get_params()[k], v) for k, v in change.items()):
        _fail("set_params", f"set_params(**{change!r}) must return the predictor and change get_params")
    try:
        probe.set_params(no_such_hyperparameter_=1)
    except ValueError:
        pass
    else:
        _fail("set_params", "set_params accepted an unknown parameter name")
    passed.append("set_params")

    # ---- unfitted, NaN targets
    archs = contract_archs(space, n_train + n_test, seed)
    train, test = archs[:n_train], archs[n_train:]
    small = train[: min(40, n_train)]
    y_fn = target if target is not None else default_target(predictor, seed)
    y_small = np.asarray(y_fn(space, small), dtype=np.float64)
    _refuses("unfitted", "predict before fit", lambda: clone(base).predict(small[:3]))
    passed.append("unfitted")
    y_nan = y_small.copy()
    y_nan[len(y_nan) // 2] = np.nan
    _refuses(
        "nan_targets",
        "fit with a NaN target",
        lambda: with_epochs(clone(base), QUICK_MECHANICS_EPOCHS).fit(small, y_nan),
    )
    passed.append("nan_targets")

    # ---- fit / predict mechanics
    first = with_epochs(clone(base), QUICK_MECHANICS_EPOCHS)
    before = first.get_params(deep=False)
    if first.fit(small, y_small) is not first:
        _fail("fit", "fit must return the predictor itself")
    after = first.get_params(deep=False)
    if any(not _same(before[k], after[k]) for k in before):
        _fail("fit", f"fit changed hyperparameters {[k for k in before if not _same(before[k], after[k])]}")
    passed.append("fit")
    s = first.predict(test)
    if not isinstance(s, np.ndarray) or s.shape != (len(test),) or s.dtype != np.float64:
        got = f"{type(s).__name__} {getattr(s, 'shape', '?')} {getattr(s, 'dtype', '?')}"
        _fail("predict", f"predict must return a float64 ndarray of shape ({len(test)},), got {got}")
    if not np.all(np.isfinite(s)):
        _fail("predict", "predict returned non-finite scores")
    empty = first.predict([])
    if np.shape(empty) != (0,):
        _fail("predict", f"predict([]) must have shape (0,), got {np.shape(empty)}")
    passed.append("predict")
    tol = 1e-6 * max(1.0, float(np.abs(s).max()))
    perm = np.random.default_rng(seed + 1).permutation(len(test))
    if not np.allclose(first.predict([test[i] for i in perm]), s[perm], rtol=0, atol=tol):
        _fail("aligned", "predicting a permuted list did not permute the scores (scores misaligned with archs)")
    k = max(1, len(test) // 3)
    if not np.allclose(first.predict(test[:k]), s[:k], rtol=0, atol=tol):
        _fail("aligned", "predicting a prefix of the list changed its scores (a score must depend on its arch only)")
    passed.append("aligned")
    again = with_epochs(clone(base), QUICK_MECHANICS_EPOCHS).fit(small, y_small).predict(test)
    if not np.array_equal(again, s):
        worst = float(np.abs(again - s).max())
        _fail("deterministic", f"two fits with the same random_state differ (max |Δ| = {worst:.3g}); seed everything")
    passed.append("deterministic")
    keys_test = [space.key(a) for a in test]
    if not np.array_equal(first.predict(keys_test), s):
        _fail("keys", "predict(keys) differs from predict(archs)")
    by_keys = with_epochs(clone(base), QUICK_MECHANICS_EPOCHS).fit([space.key(a) for a in small], y_small)
    if not np.array_equal(by_keys.predict(test), s):
        _fail("keys", "fit on keys gave other predictions than fit on the same architectures")
    passed.append("keys")
    _refuses("clone_fitted", "predict of a clone of a fitted predictor", lambda: clone(first).predict(test[:3]))
    passed.append("clone_fitted")

    # ---- learns the synthetic target
    learner = with_epochs(clone(base), quick_epochs).fit(train, np.asarray(y_fn(space, train), dtype=np.float64))
    scores = learner.predict(test)
    if np.ptp(scores) == 0:
        _fail("learns", f"the predictions of {n_test} held-out archs are all equal ({scores[0]!r})")
    tau = float(kendall_tau(np.asarray(y_fn(space, test), dtype=np.float64), scores))
    if not tau > min_tau:
        _fail("learns", f"Kendall tau {tau:.3f} <= {min_tau} on {n_test} held-out archs after {n_train} training ones")
    passed.append("learns")
    return tau
