"""What both scikit-learn peers of `jobs/lakeml bench` share: the data arguments and reading
lakeml's training split as the bench exports it (label, weight, tune's fold, the feature vector's
slots f0, f1, ...), so that both sides search the same rows and features in the same folds."""
import time

import numpy as np
import pandas as pd
from sklearn.model_selection import PredefinedSplit


def add_data_arguments(p):
    p.add_argument("--training-csv", required=True, help="lakeml's training split, as the bench writes it")
    p.add_argument("--rows", type=int, default=0, help="the training rows lakeml searched (a check; 0: no check)")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--seed", type=int, default=42)


def load(a):
    """X, y, the sample weights (None when every row weighs 1), the cross-validation splitter of
    lakeml's folds, and the seconds reading took."""
    t0 = time.time()
    df = pd.read_csv(a.training_csv)
    y = df.pop("label").to_numpy().astype(np.int8)
    w = df.pop("weight").to_numpy()
    fold = df.pop("fold").to_numpy()
    if a.rows and a.rows != len(y):
        raise SystemExit(f"{a.training_csv} has {len(y)} rows, lakeml searched {a.rows}")
    if len(np.unique(fold)) != a.folds:
        raise SystemExit(f"{a.training_csv} has {len(np.unique(fold))} folds, expected {a.folds}")
    # lakeml's slot for unseen categories is 0 in every training row; scikit-learn's
    # max_features="sqrt" counts every column, so columns with one value are left out, as XGBoost's
    # forest leaves them out of its draws
    X = df.loc[:, df.nunique() > 1].to_numpy(dtype=np.float64)
    return X, y, (None if np.all(w == 1.0) else w), PredefinedSplit(fold), time.time() - t0


def fold_rows(cv):
    """Rows per fold, fold 0 first: the bench's test checks them against tune's folds."""
    return np.bincount(cv.test_fold).tolist()
