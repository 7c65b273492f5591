"""aimc.read_sequences: aimc-run's text input format, and each refusal
naming the file and line."""
import errno

import numpy as np
import pytest

from conftest import DIGITS

import aimc


def test_shipped_digits_test_set():
    inputs, labels = aimc.read_sequences(DIGITS, 1)
    assert len(inputs) == len(labels) == 200
    assert all(x.shape == (64, 1) and x.dtype == np.float32 for x in inputs)
    assert labels.dtype == np.int64 and set(labels) == set(range(10))
    assert inputs[0][2, 0] == np.float32(0.125) and labels[0] == 7


def test_commas_comments_unknown_labels_and_width(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("# two sequences\n3: 1, 2, 3, 4  # a comment\n\n?: 5 6 7 8 9 10\n")
    inputs, labels = aimc.read_sequences(str(path), 2)
    assert [x.tolist() for x in inputs] == [[[1, 2], [3, 4]], [[5, 6], [7, 8], [9, 10]]]
    assert labels.tolist() == [3, -1]


@pytest.mark.parametrize("text, says", [
    ("1 2 3\n", "not 'LABEL: values' (step lines of an open sequence are not read here)"),
    ("x: 1 2\n", "invalid literal for int() with base 10: 'x'"),
    ("1: 1 two\n", "could not convert string to float: 'two'"),
    ("1: 1 2 3\n", "3 values, not whole steps of 2"),
    ("1:\n", "0 values, not whole steps of 2"),
])
def test_refused_lines(tmp_path, text, says):
    path = tmp_path / "bad.txt"
    path.write_text("# first line\n" + text)
    with pytest.raises(aimc.InvalidArgumentError) as e:
        aimc.read_sequences(str(path), 2)
    assert (e.value.errno, e.value.strerror) == (
        errno.EINVAL, "read_sequences: %s:2: %s" % (path, says))
