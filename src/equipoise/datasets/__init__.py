"""Datasets: samples and the loading of data files."""

from equipoise.datasets._loader import (
    DataFile,
    DatasetError,
    FieldSpec,
    MissingField,
    Record,
    field_of,
    read_records,
)
from equipoise.datasets._sample import Sample
from equipoise.datasets.labelled import LabelledItem, harm_label, read_labelled, refusal_label

__all__ = [
    "DataFile",
    "DatasetError",
    "FieldSpec",
    "LabelledItem",
    "MissingField",
    "Record",
    "Sample",
    "field_of",
    "harm_label",
    "read_labelled",
    "read_records",
    "refusal_label",
]
