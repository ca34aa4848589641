#!/usr/bin/env python3
"""The single-machine peer of lakeml's tune stage on an image set landed by `jobs/lakeml land-idx`
(Fashion-MNIST): scikit-learn's multinomial LogisticRegression on the same rows, the same split
(lakeml's gold split, exported by `jobs/lakeml sql`), the same 0..1 scaling fitted on the training
split and the same objective. Like lakeml's tune with one candidate, it cross-validates the candidate
on K folds of the training split and refits it on the whole split (GridSearchCV, refit=True), then
scores validation and test once. Prints one JSON line: seconds for reading, for the search with its
refit, and for the whole script; accuracies.

Usage: images_peer.py --landing DIR --split FILE.jsonl [--reg 0.001] [--max-iter 100] [--folds 2]
(FILE.jsonl: one {"image": …, "split": …} per line, e.g.
 jobs/lakeml sql "select image, split from gold.fashion_mnist" --limit 100000)."""
import argparse
import glob
import json
import os
import time

t_start = time.time()
import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold

p = argparse.ArgumentParser()
p.add_argument("--landing", required=True, help="the dataset's landing folder (CSV files)")
p.add_argument("--split", required=True, help="JSON lines of image and split, from lakeml's gold")
p.add_argument("--reg", type=float, default=0.001, help="Spark regParam")
p.add_argument("--max-iter", type=int, default=100)
p.add_argument("--folds", type=int, default=2)
p.add_argument("--jobs", type=int, default=2)
a = p.parse_args()

t0 = time.time()
frames = [pd.read_csv(f) for f in sorted(glob.glob(os.path.join(a.landing, "*.csv")))]
df = pd.concat(frames, ignore_index=True)
split = pd.read_json(a.split, lines=True)
df = df.merge(split[["image", "split"]], on="image", how="inner")
pixels = [c for c in df.columns if c.startswith("pixel")]
X = df[pixels].to_numpy(dtype=np.float64)
y = df["label"].astype(str).to_numpy()
train = (df["split"] == "train").to_numpy()
validation = (df["split"] == "validation").to_numpy()
test = (df["split"] == "test").to_numpy()
lo, hi = X[train].min(axis=0), X[train].max(axis=0)
span = np.where(hi > lo, hi - lo, 1.0)
# MLlib's MinMaxScaler maps a constant column to 0.5; so does this
X = np.where(hi > lo, (X - lo) / span, 0.5)
read_seconds = time.time() - t0

n = int(train.sum())
# Spark minimises mean loss + regParam/2 |w|^2 (on standardized features); scikit-learn C * sum loss +
# 1/2 |w|^2: C = 1/(regParam n). Standardization differs (MLlib standardizes internally by default),
# so the fitted models are close, not equal.
model = LogisticRegression(C=1.0 / (a.reg * n), max_iter=a.max_iter, tol=1e-6)
search = GridSearchCV(model, {"C": [1.0 / (a.reg * n)]}, cv=KFold(a.folds, shuffle=True, random_state=42),
                      scoring="accuracy", refit=True, n_jobs=a.jobs)
t1 = time.time()
search.fit(X[train], y[train])
search_seconds = time.time() - t1
best = search.best_estimator_
out = {
    "peer": "scikit-learn " + sklearn.__version__ + " LogisticRegression (lbfgs, multinomial)",
    "rows": {s: int((df["split"] == s).sum()) for s in ("train", "validation", "test")},
    "features": len(pixels),
    "readSeconds": round(read_seconds, 2),
    "searchWithRefitSeconds": round(search_seconds, 2),
    "cvAccuracy": round(float(search.best_score_), 6),
    "validationAccuracy": round(float(best.score(X[validation], y[validation])), 6),
    "testAccuracy": round(float(best.score(X[test], y[test])), 6),
    "iterations": int(max(best.n_iter_)),
    "wholeScriptSeconds": round(time.time() - t_start, 2),
}
print(json.dumps(out))
