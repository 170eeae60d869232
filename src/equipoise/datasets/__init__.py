"""Datasets: samples and the loading of data files."""

from equipoise.datasets._loader import (
    ChecksumMismatch,
    DataFile,
    DatasetError,
    FieldSpec,
    MissingField,
    Record,
    dataset_name,
    field_of,
    file_sha256,
    read_records,
)
from equipoise.datasets._sample import Sample
from equipoise.datasets.labelled import LabelledItem, harm_label, read_labelled, refusal_label

__all__ = [
    "ChecksumMismatch",
    "DataFile",
    "DatasetError",
    "FieldSpec",
    "LabelledItem",
    "MissingField",
    "Record",
    "Sample",
    "dataset_name",
    "field_of",
    "file_sha256",
    "harm_label",
    "read_labelled",
    "read_records",
    "refusal_label",
]
