"""Everything MLflow: where runs are stored, a train's runs, comparing trains, the UI, model URIs.

Training, prediction and the command line all reach MLflow through this
package, and import its modules only when they need them: the plain
prediction path of a local model never imports mlflow.
"""
