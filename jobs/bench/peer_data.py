"""What both scikit-learn peers of `jobs/lakeml bench` share: the data arguments and reading the
generated CSV into the same rows and features as lakeml's training split (mean-imputed numerics,
one-hot categoricals)."""
import time

import numpy as np
import pandas as pd


def add_data_arguments(p):
    p.add_argument("--csv", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--positive", required=True)
    p.add_argument("--numeric", default="")
    p.add_argument("--categorical", default="")
    p.add_argument("--rows", type=int, required=True, help="training rows (the Spark search's training split size)")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--seed", type=int, default=42)


def load(a, scale):
    """X, y and the seconds reading and encoding took; scale: numerics to 0..1 as lakeml's features
    (logistic regression), or left as they are (trees need no scaling)."""
    numeric = [c for c in a.numeric.split(",") if c]
    categorical = [c for c in a.categorical.split(",") if c]
    t0 = time.time()
    df = pd.read_csv(a.csv, usecols=[a.label] + numeric + categorical)
    df = df.sample(n=min(a.rows, len(df)), random_state=a.seed)
    y = (df[a.label].astype(str) == a.positive).astype(np.int8).to_numpy()
    parts = []
    if numeric:
        num = df[numeric].astype(float)
        num = num.fillna(num.mean())
        if scale:
            span = (num.max() - num.min()).replace(0, 1)
            num = (num - num.min()) / span
        parts.append(num.to_numpy())
    if categorical:
        parts.append(pd.get_dummies(df[categorical].astype(str)).to_numpy(dtype=np.float64))
    return np.hstack(parts), y, time.time() - t0
