"""The champion's pyfunc, logged from code (MLflow's models-from-code): no pickle in the logged
model.

MLflow runs this file when it loads the model; it names the model object
and nothing else.
"""

import mlflow

from tumorclf.tracking.pyfunc import TumorclfModel

mlflow.models.set_model(TumorclfModel())
