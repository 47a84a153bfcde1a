"""The case schema: vocabularies, parsing and validation of user cases.

>>> from tumorclf.schema import validate, CaseValidationError
"""

from tumorclf.schema.errors import CaseValidationError, Problem
from tumorclf.schema.validation import (
    CODE_COLUMN,
    CODE_VALUES,
    CODED_FIELDS,
    CaseArrays,
    arrays_from_frame,
    as_case_arrays,
    frame_from_arrays,
    to_arrays,
    validate,
)
from tumorclf.schema.vocabulary import (
    BOOLEAN_FIELDS,
    CATEGORICAL_FIELDS,
    FIELDS,
    LABEL,
    LEVELS,
    SCHEMA_VERSION,
)

__all__ = [
    "BOOLEAN_FIELDS",
    "CATEGORICAL_FIELDS",
    "CODE_COLUMN",
    "CODE_VALUES",
    "CODED_FIELDS",
    "FIELDS",
    "LABEL",
    "LEVELS",
    "SCHEMA_VERSION",
    "CaseArrays",
    "CaseValidationError",
    "Problem",
    "arrays_from_frame",
    "as_case_arrays",
    "frame_from_arrays",
    "to_arrays",
    "validate",
]
