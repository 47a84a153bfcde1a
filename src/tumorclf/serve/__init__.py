"""``tumorclf serve``: a local page and a JSON API over a trained model.

The page (plain HTML and a little JavaScript, nothing fetched from outside
the machine) reads a findings paragraph or a form of every schema field and
shows the differential; the API behind it (``/api/extract``,
``/api/predict``, its OpenAPI schema at ``/openapi.json``) answers exactly
what :meth:`~tumorclf.prediction.Classifier.predict_report` and
:meth:`~tumorclf.prediction.Classifier.predict_case` answer. Nothing about a
case is stored or logged.
"""

from tumorclf.serve.app import MAX_BODY_BYTES, create_app

__all__ = ["MAX_BODY_BYTES", "create_app"]
