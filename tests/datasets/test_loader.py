"""Data files: formats, field mapping, and errors that point at file:line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from equipoise.datasets import DataFile, DatasetError, FieldSpec, Record, Sample, field_of


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_with_field_mapping(tmp_path: Path) -> None:
    _write(tmp_path / "d.jsonl", '{"id": 7, "q": "Hi?", "gold": "A", "area": "x"}\n\n{"id": 8, "q": "Yo?"}\n')
    samples = DataFile("d.jsonl", to_sample=FieldSpec(input="q", target="gold", metadata=("area",))).load(tmp_path)
    assert [s.id for s in samples] == ["7", "8"]
    assert samples[0].prompt == "Hi?" and samples[0].target == "A" and samples[0].metadata == {"area": "x"}
    assert samples[1].target is None


def test_csv_and_json_arrays(tmp_path: Path) -> None:
    _write(tmp_path / "d.csv", "id,prompt\n1,first\n2,second\n")
    _write(tmp_path / "d.json", '[{"id": "a", "prompt": "p"}]')
    assert [s.prompt for s in DataFile("d.csv").load(tmp_path)] == ["first", "second"]
    assert DataFile("d.json").load(tmp_path)[0].id == "a"


def test_malformed_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", '{"id": 1, "prompt": "ok"}\n{"id": 2, "prompt": \n')
    with pytest.raises(DatasetError, match=rf"{path}:2: not valid JSON"):
        DataFile("d.jsonl").load(tmp_path)


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", '{"id": 1, "prompt": "ok"}\n{"id": 2, "text": "no prompt"}\n')
    with pytest.raises(DatasetError, match=rf"{path}:2: field 'prompt' is missing"):
        DataFile("d.jsonl").load(tmp_path)


def test_wrong_type_names_the_type(tmp_path: Path) -> None:
    def convert(record: Record, lineno: int) -> Sample:
        return Sample.user(str(lineno), field_of(record, "prompt"), target=field_of(record, "answer", int))

    path = _write(tmp_path / "d.jsonl", '{"prompt": "2+2?", "answer": "four"}\n')
    with pytest.raises(DatasetError, match=rf"{path}:1: field 'answer' should be int, found str"):
        DataFile("d.jsonl", to_sample=convert).load(tmp_path)


def test_missing_file_names_file_and_data_dir(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as info:
        DataFile("safety/absent.jsonl").load(tmp_path)
    assert "safety/absent.jsonl" in str(info.value) and str(tmp_path) in str(info.value)


def test_no_data_dir_says_how_to_set_one() -> None:
    with pytest.raises(DatasetError, match="EQUIPOISE_DATA_DIR"):
        DataFile("safety/xstest.jsonl").load(None)
    assert not DataFile("safety/xstest.jsonl").present(None)


def test_non_object_line_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", "[1, 2]\n")
    with pytest.raises(DatasetError, match=rf"{path}:1: expected a JSON object, found list"):
        DataFile("d.jsonl").load(tmp_path)


def test_shared_data_loads(shared_data: Path) -> None:
    samples = DataFile("safety/xstest.jsonl", to_sample=FieldSpec(target="label")).load(shared_data)
    assert len(samples) == 450
    assert {s.target for s in samples} == {"safe", "unsafe"}


@pytest.mark.parametrize(
    ("name", "content", "line", "byte"),
    [
        # "\xe9" is é in Latin-1, a lone continuation byte in UTF-8. The bad line lies past the text
        # reader's first 8 KB block, where its own error has lost count of lines.
        ("d.jsonl", b'{"prompt": "ok"}\n' * 600 + b'{"prompt": "caf\xe9"}\n', 601, 16),
        ("d.csv", b"id,prompt\n1,fine\n2,na\xefve\n", 3, 5),
        ("d.json", b'[\n{"prompt": "ok"},\n{"prompt": "\xff"}\n]', 3, 13),
    ],
)
def test_non_utf8_file_names_file_line_and_byte(
    tmp_path: Path, name: str, content: bytes, line: int, byte: int
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DatasetError) as info:
        DataFile(name).load(tmp_path)
    bad = content.splitlines()[line - 1][byte - 1]
    assert str(info.value) == (
        f"{path}:{line}: not UTF-8 text (byte 0x{bad:02x} at byte {byte} of the line); save the file as UTF-8"
    )


def test_a_converters_value_error_names_file_and_line(tmp_path: Path) -> None:
    def convert(record: Record, lineno: int) -> Sample:
        if record["label"] not in (0, 1):
            raise ValueError(f"label must be 0 or 1, got {record['label']!r}")
        return Sample.user(str(lineno), field_of(record, "prompt"))

    path = _write(tmp_path / "d.jsonl", '{"prompt": "a", "label": 1}\n{"prompt": "b", "label": 7}\n')
    with pytest.raises(DatasetError) as info:
        DataFile("d.jsonl", to_sample=convert).load(tmp_path)
    assert str(info.value) == f"{path}:2: label must be 0 or 1, got 7"
