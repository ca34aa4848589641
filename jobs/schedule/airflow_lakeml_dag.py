"""Airflow DAG running lakeml's nightly stages, one spark-submit (through jobs/lakeml) per task.

Copy into Airflow's dags/ folder and set the Airflow Variables LAKEML_HOME (the lakeml checkout on
the workers) and LAKEML_MASTER (e.g. yarn, spark://host:7077 or k8s://…). Airflow's own
max_active_runs=1 plays the role of lakeml's nightly lock; each task is one stage, idempotent per run
date ({{ ds }}), so Airflow retries and "clear" reruns are safe: finished work is skipped.
"""
from datetime import datetime, timedelta

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator

DATASET = "titanic"
STAGES = [
    ("ingest", "ingest"),
    ("etl", "etl"),
    ("prepare", "prepare"),
    ("bias_pre", "bias --stage pre"),
    ("tune", "tune"),
    ("bias_post", "bias --stage post"),
    ("promote", "promote"),
    ("score", "score"),
    ("monitor", "monitor"),
]

with DAG(
    dag_id=f"lakeml_nightly_{DATASET}",
    schedule="30 2 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    tags=["lakeml"],
) as dag:
    previous = None
    for task_id, command in STAGES:
        task = BashOperator(
            task_id=task_id,
            # exit 0 = succeeded or skipped, 1 = failed, 2 = configuration error (not worth a retry,
            # but Airflow cannot tell; fix the conf and clear the task)
            bash_command=(
                "{{ var.value.LAKEML_HOME }}/jobs/lakeml " + command
                + f" --dataset {DATASET} --run-date {{{{ ds }}}}"
                + " --env cluster --master {{ var.value.LAKEML_MASTER }}"
            ),
        )
        if previous is not None:
            previous >> task
        previous = task
    # the report runs whatever happened upstream (like nightly's last stage), so it shows a failure too
    report = BashOperator(
        task_id="report",
        trigger_rule="all_done",
        bash_command=(
            "{{ var.value.LAKEML_HOME }}/jobs/lakeml report"
            + f" --dataset {DATASET} --run-date {{{{ ds }}}}"
            + " --env cluster --master {{ var.value.LAKEML_MASTER }}"
        ),
    )
    previous >> report
