#!/usr/bin/env python3
"""The single-machine peer of lakeml's tune stage: scikit-learn's GridSearchCV of logistic
regression on the same rows, features, folds and grid. Called by `jobs/lakeml bench`; prints one JSON
line. Only the GridSearchCV fit is timed (reading the rows is not, as in the Spark search,
whose input is the cached training split)."""
import argparse
import json
import sys
import time

import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV

import peer_data

p = argparse.ArgumentParser()
peer_data.add_data_arguments(p)
p.add_argument("--reg", required=True, help="Spark regParam values, comma separated")
p.add_argument("--tol", type=float, default=1e-4)
p.add_argument("--max-iter", type=int, default=100)
p.add_argument("--jobs", type=int, default=2)
a = p.parse_args()

X, y, w, folds, load_seconds = peer_data.load(a)

# Spark minimises mean loss + regParam/2 |w|^2; scikit-learn C * sum loss + 1/2 |w|^2: C = 1/(regParam n)
n_fit = len(y) * (a.folds - 1) / a.folds
regs = [float(r) for r in a.reg.split(",")]
grid = {"C": [1.0 / (r * n_fit) for r in regs]}


def auc_and_iterations(est, X_, y_):
    # a scorer may return several values: the AUC (what "roc_auc" computes) and the fold model's L-BFGS iterations
    return {"auc": roc_auc_score(y_, est.decision_function(X_)), "iterations": float(est.n_iter_[0])}


search = GridSearchCV(LogisticRegression(tol=a.tol, max_iter=a.max_iter, solver="lbfgs"), grid, scoring=auc_and_iterations,
                      cv=folds, n_jobs=a.jobs, refit="auc")
t1 = time.time()
search.fit(X, y) if w is None else search.fit(X, y, sample_weight=w)
fit_seconds = time.time() - t1
best = search.best_index_
iterations = int(round(sum(search.cv_results_["mean_test_iterations"]) * a.folds)) + int(search.best_estimator_.n_iter_[0])
print(json.dumps({"peer": "scikit-learn", "version": sklearn.__version__, "rows": int(len(y)), "features": int(X.shape[1]),
                  "candidates": len(regs), "folds": a.folds, "foldRows": peer_data.fold_rows(folds), "fits": len(regs) * a.folds + 1, "nJobs": a.jobs,
                  "tol": a.tol, "seconds": round(fit_seconds, 3), "iterations": iterations,
                  "iterationsPerFit": round(iterations / (len(regs) * a.folds + 1), 1), "loadSeconds": round(load_seconds, 3),
                  "bestAuc": round(float(search.best_score_), 6), "bestRegParam": regs[best]}))
