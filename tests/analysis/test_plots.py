"""Every analysis plot renders on synthetic data (Agg backend) and shows what it claims."""

import numpy as np
import pandas as pd

import naslens.analysis as A


def _frame(n=300):
    rng = np.random.default_rng(0)
    params = rng.integers(1, 10, n) / 10
    gt = params + rng.normal(0, 0.2, n)
    return pd.DataFrame(
        {
            "ground_truth": gt,
            "params": params,
            "flops": params * 100,
            "class_id": np.arange(n) % 50,
            "class_size": 6,
            "s": gt + rng.normal(0, 0.1, n),
            "os@epoch1": -gt,
            "os@epoch2": gt,
        }
    )


def test_plots_render():
    f = _frame()
    orient = {"s": True, "os@epoch1": True, "os@epoch2": True}
    figs = [
        A.plot_complexity_bias(A.complexity_bias(f, orient)),
        A.plot_kendall_matrix(A.kendall_matrix(f, orient)),
        A.plot_stability(A.checkpoint_stability(f, orient)),
        A.plot_overrating_by_class_size(A.class_overrating(f, orient, top=None)),
        A.plot_budget_accuracy(A.budget_picks(f, orient)),
        A.plot_pareto(f, orient),
        A.plot_forgetting(
            A.forgetting_summary(
                pd.DataFrame(
                    {
                        "arch": ["a", "b"],
                        "epoch": [1, 2],
                        "acc_after_own_step": [0.5, 0.6],
                        "acc_after_epoch": [0.4, 0.6],
                    }
                )
            )
        ),
        A.plot_gradient_similarity(
            A.gradient_similarity_summary(
                pd.DataFrame({"arch_a": ["a"], "arch_b": ["b"], "layer": ["l"], "cosine": [0.3]})
            )
        ),
    ]
    import matplotlib.pyplot as plt

    for fig in figs:
        assert fig.axes and any(ax.has_data() for ax in fig.axes)
        plt.close(fig)
    bias = figs[0]
    assert "flops" in bias.axes[1].get_xlabel()
