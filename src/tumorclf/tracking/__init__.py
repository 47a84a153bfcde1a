"""MLflow for training and serving: where runs are stored, a train's runs, comparing trains, the UI,
the pyfunc.

Training and the command line reach MLflow through this package, and import
its modules only when they need them. Prediction reads a model behind a
``models:/`` URI through :mod:`tumorclf.persistence.registry`; the plain
prediction path of a local model never imports mlflow.
"""
