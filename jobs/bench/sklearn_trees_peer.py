#!/usr/bin/env python3
"""The single-machine peer of lakeml's tree searches: scikit-learn's RandomForestClassifier and
HistGradientBoostingClassifier, each through GridSearchCV (folds + the refit of the winner) on the
same rows, features, folds and grid as lakeml's random-forest and gradient-boosting searches. Called by
`jobs/lakeml bench`; prints one JSON line. Each search is timed from GridSearchCV.fit's start to its
end, refit included, as lakeml's searchSeconds include its refit; reading is timed
apart (loadSeconds)."""
import argparse
import json
import os
import time

import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import GridSearchCV

import peer_data

p = argparse.ArgumentParser()
peer_data.add_data_arguments(p)
p.add_argument("--jobs", type=int, default=os.cpu_count())
p.add_argument("--rf-trees", default="", help="RandomForest n_estimators values (lakeml numTrees); empty: no forest")
p.add_argument("--rf-depth", default="5", help="RandomForest max_depth values (lakeml maxDepth)")
p.add_argument("--gb-rounds", default="", help="HistGradientBoosting max_iter values (XGBoost numRound); empty: no boosting")
p.add_argument("--gb-depth", default="6", help="HistGradientBoosting max_depth values (XGBoost max_depth)")
p.add_argument("--gb-eta", default="0.3", help="HistGradientBoosting learning_rate values (XGBoost eta)")
a = p.parse_args()

ints = lambda s: [int(float(v)) for v in s.split(",") if v]
floats = lambda s: [float(v) for v in s.split(",") if v]
X, y, w, folds, load_seconds = peer_data.load(a)


def search(name, estimator, grid, n_jobs):
    s = GridSearchCV(estimator, grid, scoring="roc_auc", cv=folds,
                     n_jobs=n_jobs, refit=True)
    t = time.time()
    s.fit(X, y) if w is None else s.fit(X, y, sample_weight=w)
    seconds = time.time() - t
    candidates = len(s.cv_results_["params"])
    return {"algorithm": name, "seconds": round(seconds, 3), "candidates": candidates, "fits": candidates * a.folds + 1,
            "bestAuc": round(float(s.best_score_), 6), "bestParams": {k: v for k, v in s.best_params_.items()}}


results = []
if ints(a.rf_trees):
    # the forest's trees in parallel on every core, folds one after another: all cores busy either way
    rf = RandomForestClassifier(random_state=a.seed, n_jobs=a.jobs)
    results.append(search("random-forest", rf, {"n_estimators": ints(a.rf_trees), "max_depth": ints(a.rf_depth)}, 1))
if ints(a.gb_rounds):
    # depth-limited trees without a leaf cap and no early stopping: what XGBoost's hist method grows for the grid.
    # HistGradientBoosting uses every core through OpenMP, so the folds run one after another.
    hgb = HistGradientBoostingClassifier(max_leaf_nodes=None, early_stopping=False, random_state=a.seed)
    results.append(search("hist-gradient-boosting", hgb,
                          {"max_iter": ints(a.gb_rounds), "max_depth": ints(a.gb_depth), "learning_rate": floats(a.gb_eta)}, 1))
print(json.dumps({"peer": "scikit-learn", "version": sklearn.__version__, "rows": int(len(y)), "features": int(X.shape[1]),
                  "folds": a.folds, "foldRows": peer_data.fold_rows(folds), "nJobs": a.jobs, "loadSeconds": round(load_seconds, 3),
                  "seconds": round(sum(r["seconds"] for r in results), 3), "searches": results}))
